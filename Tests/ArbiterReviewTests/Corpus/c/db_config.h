#ifndef DB_CONFIG_H
#define DB_CONFIG_H

#define DB_HOST "db.internal"
#define DB_USER "reporting"
#define DB_PASSWORD "R3p0rt!ng2023"  // arbiter-expect: C-SECRET-001
#define DB_PASSWORD_ENV "REPORTING_DB_PASSWORD"
#define TOKEN_HEADER "X-Auth-Token"
#define MAX_TOKEN_LEN 128

static const char *service_token = "tk_9f8e7d6c";  // arbiter-expect: C-SECRET-001

/* Safe: names and prompts, not secrets. */
static const char *password_prompt = "Password: ";
static const char password_env[] = "APP_PASSWORD";

#endif
