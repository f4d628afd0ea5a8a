<?php
// Cron entry point with a reviewed exception.

function rotate_logs($service)
{
    // arbiter:ignore PHP-CMDI-001 $service is checked against ALLOWED_SERVICES before this call
    shell_exec("logrotate -f /etc/logrotate.d/" . $service);
}

function compress($path)
{
    exec("gzip " . $path);  // arbiter-expect: PHP-CMDI-001
}
