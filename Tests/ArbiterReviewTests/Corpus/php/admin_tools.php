<?php
// Admin maintenance panel: shell helpers, plugins and file access.

function ping_host()
{
    $host = $_GET['host'];
    system("ping -c 1 " . $host);  // arbiter-expect: PHP-CMDI-001
}

function disk_usage($dir)
{
    return shell_exec("du -sh $dir");  // arbiter-expect: PHP-CMDI-001
}

function list_dir($dir)
{
    return `ls -la $dir`;  // arbiter-expect: PHP-CMDI-001
}

function run_filter()
{
    passthru($_POST['cmd']);  // arbiter-expect: PHP-CMDI-001
}

function calc()
{
    eval('$result = ' . $_GET['expr'] . ';');  // arbiter-expect: PHP-EVAL-001
    return $result;
}

function dynamic_call()
{
    return call_user_func($_GET['fn'], $_GET['arg']);  // arbiter-expect: PHP-EVAL-001
}

function legacy_template($text)
{
    return preg_replace('/\{(\w+)\}/e', '$vars["\\1"]', $text);  // arbiter-expect: PHP-EVAL-002
}

function show_page()
{
    include $_GET['page'] . '.php';  // arbiter-expect: PHP-LFI-001
}

function load_theme($theme)
{
    require "themes/$theme/functions.php";  // arbiter-expect: PHP-LFI-002
}

function restore_prefs()
{
    return unserialize($_COOKIE['prefs']);  // arbiter-expect: PHP-DESER-001
}

function read_log()
{
    readfile('/var/log/app/' . $_GET['file']);  // arbiter-expect: PHP-PATH-001
}

function remove_upload()
{
    unlink(UPLOAD_DIR . $_POST['name']);  // arbiter-expect: PHP-PATH-001
}

function fetch_remote()
{
    return file_get_contents($_GET['url']);  // arbiter-expect: PHP-SSRF-001
}

function fetch_with_curl()
{
    $ch = curl_init();
    curl_setopt($ch, CURLOPT_URL, $_POST['feed']);  // arbiter-expect: PHP-SSRF-001
    curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false);  // arbiter-expect: PHP-TLS-001
    curl_setopt($ch, CURLOPT_SSL_VERIFYHOST, 0);  // arbiter-expect: PHP-TLS-001
    return curl_exec($ch);
}

function import_settings()
{
    extract($_REQUEST);  // arbiter-expect: PHP-EXTRACT-001
    parse_str($_SERVER['QUERY_STRING']);  // arbiter-expect: PHP-EXTRACT-001
}

function diagnostics()
{
    ini_set('display_errors', '1');  // arbiter-expect: PHP-DEBUG-001
    phpinfo();  // arbiter-expect: PHP-DEBUG-002
}

// ---------------------------------------------------------------- safe look-alikes

function ping_host_safe()
{
    $host = $_GET['host'];
    system('ping -c 1 ' . escapeshellarg($host));
    exec( 'uptime', $output );
    return $output;
}

function list_dir_safe($dir)
{
    $proc = proc_open(['ls', '-la', $dir], [1 => ['pipe', 'w']], $pipes);
    return stream_get_contents($pipes[1]) . proc_close($proc);
}

function calc_safe()
{
    $ops = ['sum' => 'array_sum', 'max' => 'max'];
    $fn = $ops[$_GET['op']] ?? 'array_sum';
    return $fn([1, 2, 3]);
}

function modern_template($text, $vars)
{
    return preg_replace_callback('/\{(\w+)\}/', fn ($m) => $vars[$m[1]] ?? '', $text);
}

function show_page_safe()
{
    $pages = ['home' => 'home.php', 'about' => 'about.php'];
    $page = $pages[$_GET['page'] ?? 'home'] ?? 'home.php';
    include __DIR__ . '/pages/' . $page;
    require_once 'config.php';
}

function restore_prefs_safe()
{
    $prefs = json_decode($_COOKIE['prefs'] ?? '{}', true);
    $legacy = unserialize($_COOKIE['legacy'] ?? '', ['allowed_classes' => false]);
    return [$prefs, $legacy];
}

function read_log_safe()
{
    $name = basename($_GET['file']);
    readfile('/var/log/app/' . $name);
}

function fetch_status()
{
    $ch = curl_init('https://status.internal/health');
    curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, true);
    curl_setopt($ch, CURLOPT_SSL_VERIFYHOST, 2);
    return curl_exec($ch);
}

function import_settings_safe()
{
    parse_str($_SERVER['QUERY_STRING'], $query);
    $row = ['name' => 'x'];
    extract($row);
    return $query;
}

function production_errors()
{
    ini_set('display_errors', '0');
    ini_set('log_errors', '1');
}
