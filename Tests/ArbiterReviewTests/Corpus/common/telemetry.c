#include <stdio.h>
#include <string.h>

static const char *TELEMETRY_URL = "http://telemetry.acme-corp.io/v1/events";  // arbiter-expect: GEN-NET-001
static const char *SECURE_TELEMETRY_URL = "https://telemetry.acme-corp.io/v1/events";
static const char *LOCAL_AGENT_URL = "http://127.0.0.1:4318/v1/traces";

/* FIXME: insecure - events are sent without authentication */  // arbiter-expect: GEN-TODO-001
int send_event(const char *name)
{
    char line[256];
    snprintf(line, sizeof line, "event=%s", name);
    /* TODO: batch events */
    return (int)strlen(line) > 0 && strlen(SECURE_TELEMETRY_URL) > 0 && strlen(LOCAL_AGENT_URL) > 0;
}
