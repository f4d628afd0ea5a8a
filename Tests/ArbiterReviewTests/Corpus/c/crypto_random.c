#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/des.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

/* Vulnerable: predictable session identifiers. */
void make_session_id(char *out, size_t len)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    srand(time(NULL));  // arbiter-expect: C-RAND-002
    for (size_t i = 0; i + 1 < len; i++)
        out[i] = alphabet[rand() % (sizeof alphabet - 1)];  // arbiter-expect: C-RAND-001
    out[len - 1] = '\0';
}

long reset_code(void)
{
    srandom((unsigned)time(NULL) ^ getpid());  // arbiter-expect: C-RAND-002
    return random() % 1000000;  // arbiter-expect: C-RAND-001
}

/* Vulnerable: broken hashes and ciphers. */
void hash_password(const char *password, unsigned char out[MD5_DIGEST_LENGTH])
{
    MD5((const unsigned char *)password, strlen(password), out);  // arbiter-expect: C-CRYPTO-001
}

void fingerprint(const unsigned char *data, size_t len, unsigned char out[SHA_DIGEST_LENGTH])
{
    SHA_CTX ctx;
    SHA1_Init(&ctx);  // arbiter-expect: C-CRYPTO-001
    SHA1_Update(&ctx, data, len);  // arbiter-expect: C-CRYPTO-001
    SHA1_Final(out, &ctx);  // arbiter-expect: C-CRYPTO-001
}

const EVP_MD *legacy_digest(void)
{
    return EVP_md5();  // arbiter-expect: C-CRYPTO-001
}

int encrypt_des(const unsigned char *key, const unsigned char *in, unsigned char *out, int len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    EVP_EncryptInit_ex(ctx, EVP_des_cbc(), NULL, key, NULL);  // arbiter-expect: C-CRYPTO-002
    EVP_EncryptUpdate(ctx, out, &n, in, len);
    EVP_CIPHER_CTX_free(ctx);
    return n;
}

int encrypt_ecb(const unsigned char *key, const unsigned char *in, unsigned char *out, int len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, key, NULL);  // arbiter-expect: C-CRYPTO-003
    EVP_EncryptUpdate(ctx, out, &n, in, len);
    EVP_CIPHER_CTX_free(ctx);
    return n;
}

void legacy_des(DES_cblock *key, DES_key_schedule *schedule)
{
    DES_set_key_checked(key, schedule);  // arbiter-expect: C-CRYPTO-002
}

EVP_PKEY *make_key(void)
{
    return EVP_RSA_gen(1024);  // arbiter-expect: C-CRYPTO-004
}

/* Safe: CSPRNG, SHA-256, AES-GCM, 3072-bit RSA. */
int make_session_id_safely(unsigned char *out, int len)
{
    return RAND_bytes(out, len);
}

void fingerprint_safely(const unsigned char *data, size_t len, unsigned char out[SHA256_DIGEST_LENGTH])
{
    SHA256(data, len, out);
}

int encrypt_gcm(const unsigned char *key, const unsigned char *iv, const unsigned char *in, unsigned char *out, int len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv);
    EVP_EncryptUpdate(ctx, out, &n, in, len);
    EVP_CIPHER_CTX_free(ctx);
    return n;
}

EVP_PKEY *make_key_safely(void)
{
    /* EVP_RSA_gen(1024) is too small; MD5() is banned too. */
    return EVP_RSA_gen(3072);
}

int jitter_ms(int base)
{
    unsigned int r;
    arc4random_buf(&r, sizeof r);
    return base + (int)(r % 100) + my_rand() % 3;
}
