#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_LEN 64

struct user {
    char name[NAME_LEN];
    char home[256];
    char greeting[128];
};

/* Vulnerable: unbounded reads and copies. */
void read_name(struct user *u)
{
    char line[NAME_LEN];
    gets(line);  // arbiter-expect: C-BOF-001
    strcpy(u->name, line);  // arbiter-expect: C-BOF-002
}

void build_home(struct user *u, const char *base)
{
    strcpy(u->home, base);  // arbiter-expect: C-BOF-002
    strcat(u->home, "/");
    strcat(u->home, u->name);  // arbiter-expect: C-BOF-002
}

void build_greeting(struct user *u, const char *title)
{
    sprintf(u->greeting, "Hello %s %s!", title, u->name);  // arbiter-expect: C-BOF-003
}

int read_command(char *out)
{
    char verb[16];
    char target[32];
    if (scanf("%s %s", verb, target) != 2)  // arbiter-expect: C-BOF-004
        return -1;
    sscanf(target, "%[^:]", out);  // arbiter-expect: C-BOF-004
    return 0;
}

void copy_title(char *dst, const char *src)
{
    strncpy(dst, src, strlen(src));  // arbiter-expect: C-BOF-005
}

void append_suffix(char dst[32], const char *suffix)
{
    char buf[32];
    strncat(buf, suffix, sizeof(buf));  // arbiter-expect: C-BOF-005
    memcpy(dst, buf, sizeof(buf));
}

char *duplicate(const char *s)
{
    char *copy = malloc(strlen(s));  // arbiter-expect: C-BOF-006
    if (copy == NULL)
        return NULL;
    memcpy(copy, s, strlen(s) + 1);
    return copy;
}

/* Safe: bounded variants. */
void read_name_safely(struct user *u)
{
    char line[NAME_LEN];
    if (fgets(line, sizeof line, stdin) == NULL)
        return;
    line[strcspn(line, "\n")] = '\0';
    snprintf(u->name, sizeof u->name, "%s", line);
}

void build_greeting_safely(struct user *u, int id)
{
    char label[32];
    sprintf(label, "user-%d", id);
    snprintf(u->greeting, sizeof u->greeting, "Hello %s (%s)", u->name, label);
    strcpy(u->home, "/home");
}

int read_command_safely(char verb[16], char target[32])
{
    /* scanf("%s") would overflow; widths keep it bounded. */
    return scanf("%15s %31s", verb, target) == 2 ? 0 : -1;
}

void copy_title_safely(char *dst, size_t size, const char *src)
{
    strncpy(dst, src, size - 1);
    dst[size - 1] = '\0';
    strncat(dst, "!", size - strlen(dst) - 1);
}

char *duplicate_safely(const char *s)
{
    size_t len = strlen(s) + 1;
    char *copy = malloc(len);
    if (copy != NULL)
        memcpy(copy, s, len);
    return copy;
}
