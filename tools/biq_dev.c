/* biq_dev.c - development-only token minting for `make run` and manual
 * testing: a local RSA key whose JWKS the backend is started with, and
 * Forge-shaped tokens signed with it. A separate program, never linked
 * into build/biq (the production binary has no way to sign tokens).
 *
 *   biq-dev keygen DIR KID         writes DIR/dev-key.pem and DIR/jwks.json
 *   biq-dev token DIR KID APP_ID INSTALLATION [PROJECT_ID PROJECT_KEY]
 *                                  prints a FIT valid for 25 s
 *   BIQ_DEV_MODULE="TYPE KEY"      optional: the module claims, e.g.
 *                                  "core:function on-installed" for a
 *                                  function-class token (auth/modules.def)
 */
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fit_sign.h"

enum { PATH_MAX_LEN = 1024 };

static int keygen(const char *dir, const char *kid)
{
    char path[PATH_MAX_LEN];
    int status = 1;
    EVP_PKEY *key = fit_sign_keygen();
    FILE *f = NULL;
    if (key == NULL)
        goto out;
    snprintf(path, sizeof path, "%s/dev-key.pem", dir);
    umask(077);
    f = fopen(path, "w");
    if (f == NULL || PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) != 1) {
        fprintf(stderr, "biq-dev: cannot write %s\n", path);
        goto out;
    }
    snprintf(path, sizeof path, "%s/jwks.json", dir);
    if (!fit_sign_write_jwks_file(key, kid, path)) {
        fprintf(stderr, "biq-dev: cannot write %s\n", path);
        goto out;
    }
    status = 0;
out:
    if (f != NULL)
        fclose(f);
    EVP_PKEY_free(key);
    return status;
}

static int token(int argc, char **argv)
{
    char path[PATH_MAX_LEN];
    fit_claims c;
    snprintf(path, sizeof path, "%s/dev-key.pem", argv[0]);
    FILE *f = fopen(path, "r");
    EVP_PKEY *key = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f != NULL)
        fclose(f);
    if (key == NULL) {
        fprintf(stderr, "biq-dev: cannot read %s (run biq-dev keygen first)\n", path);
        return 1;
    }
    fit_claims_default(&c, (int64_t)time(NULL));
    c.app_id = argv[2];
    c.installation_id = argv[3];
    c.project_id = argc >= 6 ? argv[4] : NULL;
    c.project_key = argc >= 6 ? argv[5] : NULL;
    c.no_context = argc < 6;
    char module[256];
    const char *m = getenv("BIQ_DEV_MODULE");
    if (m != NULL && m[0] != '\0') {
        snprintf(module, sizeof module, "%s", m);
        char *space = strchr(module, ' ');
        if (space == NULL) {
            fprintf(stderr, "biq-dev: BIQ_DEV_MODULE: expected \"TYPE KEY\"\n");
            EVP_PKEY_free(key);
            return 1;
        }
        *space = '\0';
        c.module_type = module;
        c.module_key = space + 1;
    }
    char *t = fit_sign_forge_token(key, argv[1], &c);
    EVP_PKEY_free(key);
    if (t == NULL)
        return 1;
    puts(t);
    free(t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "keygen") == 0)
        return keygen(argv[2], argv[3]);
    if ((argc == 6 || argc == 8) && strcmp(argv[1], "token") == 0)
        return token(argc - 2, argv + 2);
    fprintf(stderr, "usage: biq-dev keygen DIR KID\n"
                    "       biq-dev token DIR KID APP_ID INSTALLATION [PROJECT_ID PROJECT_KEY]\n");
    return 2;
}
