import React from 'react';
import DOMPurify from 'dompurify';
import { marked } from 'marked';

export function CommentBody({ comment }) {
  return <div className="comment" dangerouslySetInnerHTML={{ __html: comment.html }} />; // arbiter-expect: JS-XSS-003
}

export function MarkdownPreview({ source }) {
  const html = marked.parse(source);
  return <section dangerouslySetInnerHTML={{ __html: html }} />; // arbiter-expect: JS-XSS-003
}

export function SafeCommentBody({ comment }) {
  return <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(comment.html) }} />;
}

export function StaticBadge() {
  return <span dangerouslySetInnerHTML={{ __html: '&copy; 2024 Example' }} />;
}

export function PlainComment({ comment }) {
  return <div className="comment">{comment.text}</div>;
}
