#include <stdlib.h>
#include <string.h>

/* Jitter for retry back-off only; predictability is harmless here. */
int backoff_ms(int attempt)
{
    /* arbiter:ignore C-RAND-001 back-off jitter, not a secret */
    int jitter = rand() % 100;
    return (1 << attempt) * 10 + jitter;
}

void copy_fixed(char dst[64], const char src[32])
{
    strcpy(dst, src);  /* arbiter:ignore C-BOF-002 src is at most 32 bytes, dst has 64 */
}

int shuffle_seed(void)
{
    return rand();  // arbiter-expect: C-RAND-001
}
