#include <curl/curl.h>
#include <openssl/ssl.h>

/* Declarations of the legacy methods are not uses. */
const SSL_METHOD *TLSv1_client_method(void);

/* Vulnerable: certificate checks switched off. */
SSL_CTX *make_client_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);  // arbiter-expect: C-TLS-001
    return ctx;
}

SSL_CTX *make_legacy_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLSv1_client_method());  // arbiter-expect: C-TLS-003
    SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);  // arbiter-expect: C-TLS-003
    return ctx;
}

CURLcode fetch(const char *url)
{
    CURL *curl = curl_easy_init();
    if (curl == NULL)
        return CURLE_FAILED_INIT;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);  // arbiter-expect: C-TLS-002
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0);  // arbiter-expect: C-TLS-002
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    return rc;
}

/* Safe: verification on, modern protocol floor. */
SSL_CTX *make_client_ctx_safely(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_default_verify_paths(ctx);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    return ctx;
}

CURLcode fetch_safely(const char *url)
{
    CURL *curl = curl_easy_init();
    if (curl == NULL)
        return CURLE_FAILED_INIT;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    /* Never set CURLOPT_SSL_VERIFYPEER to 0L in production. */
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    return rc;
}
