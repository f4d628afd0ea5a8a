<?php
// Account pages: login, password reset, profile rendering.

define('DB_PASSWORD', 'Spring2024!db');  // arbiter-expect: PHP-SECRET-001
$smtpPassword = "mailer-Pa55";  // arbiter-expect: PHP-SECRET-001
$config = [
    'host' => 'db.internal',
    'password' => 'Tr0ub4dor&3',  // arbiter-expect: PHP-SECRET-001
];
$link = mysqli_connect('db.internal', 'app', 'app-s3cret');  // arbiter-expect: PHP-SECRET-001

function register($pdo)
{
    $hash = md5($_POST['password']);  // arbiter-expect: PHP-HASH-001
    $stmt = $pdo->prepare('INSERT INTO users (email, pw) VALUES (?, ?)');
    $stmt->execute([$_POST['email'], $hash]);
}

function check_login($user, $password)
{
    return md5($password) == $user['pw_hash'];  // arbiter-expect: PHP-HASH-001, PHP-TYPE-001
}

function api_signature($payload)
{
    $signature = sha1($payload);  // arbiter-expect: PHP-HASH-002
    return $signature;
}

function reset_token()
{
    $token = md5(uniqid(rand(), true));  // arbiter-expect: PHP-RAND-001
    return $token;
}

function otp_code()
{
    $otp = mt_rand(100000, 999999);  // arbiter-expect: PHP-RAND-001
    return $otp;
}

function check_signature($given, $payload, $key)
{
    return hash_hmac('sha256', $payload, $key) == $given;  // arbiter-expect: PHP-TYPE-001
}

function greet()
{
    echo "Hello, " . $_GET['name'];  // arbiter-expect: PHP-XSS-001
    print($_POST['bio']);  // arbiter-expect: PHP-XSS-001
}

function search_form()
{
    echo '<form action="' . $_SERVER['PHP_SELF'] . '" method="post">';  // arbiter-expect: PHP-XSS-001
}

function after_login()
{
    header("Location: " . $_GET['next']);  // arbiter-expect: PHP-REDIRECT-001
    exit;
}

function save_avatar()
{
    move_uploaded_file($_FILES['avatar']['tmp_name'], 'uploads/' . $_FILES['avatar']['name']);  // arbiter-expect: PHP-UPLOAD-001
}

function resume_session()
{
    session_id($_GET['sid']);  // arbiter-expect: PHP-SESSION-001
    session_start();
}

function contact()
{
    mail('support@example.com', 'Contact', $_POST['message'], 'From: ' . $_POST['email']);  // arbiter-expect: PHP-MAIL-001
}

function import_feed($xml)
{
    return simplexml_load_string($xml, 'SimpleXMLElement', LIBXML_NOENT);  // arbiter-expect: PHP-XXE-001
}

$stream = stream_context_create(['ssl' => ['verify_peer' => false, 'verify_peer_name' => false]]);  // arbiter-expect: PHP-TLS-001

// ---------------------------------------------------------------- safe look-alikes

$dbPassword = getenv('DB_PASSWORD');
$apiToken = $_ENV['API_TOKEN'] ?? '';
$password_min_length = 12;
$fields = ['password' => 'PASSWORD_FIELD', 'label' => 'Password'];
$placeholder = ['password' => 'changeme'];
$pdo = new PDO($dsn, $user, getenv('DB_PASSWORD'));

function register_safe($pdo)
{
    $hash = password_hash($_POST['password'], PASSWORD_DEFAULT);
    $stmt = $pdo->prepare('INSERT INTO users (email, pw) VALUES (?, ?)');
    $stmt->execute([$_POST['email'], $hash]);
}

function check_login_safe($user, $password)
{
    return password_verify($password, $user['pw_hash']);
}

function cache_key($url)
{
    return 'page:' . hash('sha256', $url) . ':' . md5($url);
}

function flash_message($messages)
{
    echo $messages[$_GET['msg']] ?? '';
}

function reset_token_safe()
{
    $token = bin2hex(random_bytes(32));
    return $token;
}

function check_signature_safe($given, $payload, $key)
{
    return hash_equals(hash_hmac('sha256', $payload, $key), $given);
}

function greet_safe()
{
    echo "Hello, " . htmlspecialchars($_GET['name'] ?? '', ENT_QUOTES, 'UTF-8');
    echo 'Results: ' . count($_GET);
}

function after_login_safe()
{
    header('Location: /dashboard');
    exit;
}

function save_avatar_safe()
{
    $name = bin2hex(random_bytes(16)) . '.png';
    move_uploaded_file($_FILES['avatar']['tmp_name'], '/srv/avatars/' . $name);
}

function import_feed_safe($xml)
{
    return simplexml_load_string($xml, 'SimpleXMLElement', LIBXML_NONET);
}
