#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

/* Vulnerable: the host name goes through /bin/sh. */
int ping_host(const char *host)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ping -c 1 %s", host);
    return system(cmd);  // arbiter-expect: C-CMDI-001
}

int count_lines(const char *path)
{
    char cmd[512];
    char out[32] = {0};
    snprintf(cmd, sizeof cmd, "wc -l < '%s'", path);
    FILE *p = popen(cmd, "r");  // arbiter-expect: C-CMDI-001
    if (p == NULL)
        return -1;
    fgets(out, sizeof out, p);
    pclose(p);
    return (int)strtol(out, NULL, 10);
}

void run_hook(const char *script)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", script, (char *)NULL);  // arbiter-expect: C-CMDI-001
        _exit(127);
    }
    waitpid(pid, NULL, 0);
}

/* Safe: fixed commands, and exec with an argument vector. */
int clear_screen(void)
{
    if (system(NULL) == 0)
        return -1;
    return system("clear");
}

int ping_host_safely(const char *host)
{
    pid_t pid = fork();
    if (pid == 0) {
        execlp("ping", "ping", "-c", "1", "--", host, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

FILE *list_tmp(void)
{
    return popen("ls /tmp", "r");
}
