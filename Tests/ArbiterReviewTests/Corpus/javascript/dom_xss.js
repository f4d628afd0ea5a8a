/* Client-side widgets for the dashboard. */
import DOMPurify from 'dompurify';
import $ from 'jquery';

function renderComment(comment) {
  const el = document.createElement('div');
  el.innerHTML = comment.body; // arbiter-expect: JS-XSS-001
  document.getElementById('comments').appendChild(el);
}

function renderGreeting(name) {
  const banner = document.querySelector('#banner');
  banner.innerHTML = `<strong>Welcome back, ${name}!</strong>`; // arbiter-expect: JS-XSS-001
}

function appendRow(table, cell) {
  table.innerHTML += '<tr><td>' + cell + '</td></tr>'; // arbiter-expect: JS-XSS-001
}

function showSearchTerm() {
  const params = new URLSearchParams(window.location.search);
  document.write('<p>You searched for ' + params.get('q') + '</p>'); // arbiter-expect: JS-XSS-002
}

function addNotice(container, html) {
  container.insertAdjacentHTML('beforeend', html); // arbiter-expect: JS-XSS-002
}

function renderStatus(status) {
  $('#status').html(status.message); // arbiter-expect: JS-XSS-004
  $('#list').append('<li>' + status.detail + '</li>'); // arbiter-expect: JS-XSS-004
}

function followReturnUrl() {
  const params = new URLSearchParams(window.location.search);
  window.location.href = params.get('returnUrl'); // arbiter-expect: JS-REDIRECT-001
}

// Safe look-alikes
function renderCommentSafe(comment) {
  const el = document.createElement('div');
  el.textContent = comment.body;
  el.innerHTML = DOMPurify.sanitize(comment.html);
  document.getElementById('comments').appendChild(el);
}

function clearPanel(panel) {
  panel.innerHTML = '';
  panel.innerHTML = '<p class="empty">Nothing here yet</p>';
}

function addStaticNotice(container) {
  container.insertAdjacentHTML('beforeend', '<hr class="divider">');
  document.write('<footer>Static footer</footer>');
}

function renderStatusSafe(status) {
  $('#status').text(status.message);
  $('#list').append($('<li>').text(status.detail));
  const current = $('#status').html();
  return current;
}

function goHome() {
  window.location.href = '/home';
}

function compare(a, b) {
  // Writing el.innerHTML = userInput would be unsafe; we use textContent above.
  return a.innerHTML === b.innerHTML;
}

export {
  renderComment, renderGreeting, appendRow, showSearchTerm, addNotice, renderStatus,
  followReturnUrl, renderCommentSafe, clearPanel, addStaticNotice, renderStatusSafe, goHome, compare,
};
