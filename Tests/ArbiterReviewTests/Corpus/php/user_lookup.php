<?php
// Legacy user lookup endpoints (mysqli / PDO).

require_once __DIR__ . '/bootstrap.php';

function find_user(mysqli $conn)
{
    $result = mysqli_query($conn, "SELECT * FROM users WHERE id = " . $_GET['id']);  // arbiter-expect: PHP-SQLI-001
    return mysqli_fetch_assoc($result);
}

function find_by_name(mysqli $conn, $name)
{
    $result = $conn->query("SELECT * FROM users WHERE name = '$name'");  // arbiter-expect: PHP-SQLI-003
    return $result->fetch_all(MYSQLI_ASSOC);
}

function find_by_email(PDO $pdo, $email)
{
    $sql = "SELECT id, name FROM users WHERE email = '" . $email . "'";  // arbiter-expect: PHP-SQLI-002
    return $pdo->query($sql)->fetchAll();
}

function delete_user(PDO $pdo, $id)
{
    $sql = "DELETE FROM users WHERE id = {$id}";  // arbiter-expect: PHP-SQLI-002
    $pdo->exec($sql);
}

function sort_users(PDO $pdo)
{
    $order = $_GET['order'];
    return $pdo->query('SELECT * FROM users ORDER BY ' . $order)->fetchAll();  // arbiter-expect: PHP-SQLI-003
}

function laravel_search($request)
{
    return DB::select("SELECT * FROM posts WHERE title LIKE '%" . $request->input('q') . "%'");  // arbiter-expect: PHP-SQLI-001
}

// ---------------------------------------------------------------- safe look-alikes

function find_user_safe(PDO $pdo)
{
    $stmt = $pdo->prepare('SELECT * FROM users WHERE id = ?');
    $stmt->execute([$_GET['id']]);
    return $stmt->fetch();
}

function find_by_name_safe(mysqli $conn, $name)
{
    $stmt = $conn->prepare("SELECT * FROM users WHERE name = ?");
    $stmt->bind_param("s", $name);
    $stmt->execute();
    return $stmt->get_result()->fetch_all(MYSQLI_ASSOC);
}

function count_users(mysqli $conn)
{
    $id = (int)$_GET['id'];
    $result = mysqli_query($conn, "SELECT COUNT(*) FROM orders WHERE user_id = " . intval($_GET['id']));
    return $result->fetch_row()[0] + $id;
}

function all_users(PDO $pdo)
{
    // $pdo->query("SELECT * FROM users WHERE id = $id") is the old, unsafe form
    $label = 'Select the rows from the table';
    return [$pdo->query('SELECT * FROM users')->fetchAll(), $label];
}

function load_cache($row)
{
    return unserialize($row['data']);  // arbiter-expect: PHP-DESER-002
}

function wp_style($wpdb, $table)
{
    $posts = $wpdb->get_results("SELECT ID, post_title FROM {$wpdb->posts} WHERE post_status = 'publish'");
    $count = $wpdb->get_var("SELECT COUNT(*) FROM $table");
    $sql = "SELECT * FROM " . $this->db->table_name('users') . " WHERE id = ?";
    return [$posts, $count, $sql];
}

function xml_titles($xpath)
{
    return $xpath->query('//item[@id=' . $xpath->id . ']');
}

function named_params(PDO $pdo, $email)
{
    $stmt = $pdo->prepare('SELECT id FROM users WHERE email = :email');
    $stmt->execute(['email' => $email]);
    return $stmt->fetchColumn();
}
