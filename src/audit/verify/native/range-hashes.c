/*
 * Verify's hashing of one leaf range in two calls (see range-hashing.ts): node:crypto pays about
 * 0.4 µs of call overhead for each hash, more than hashing a leaf, and a range of n leaves takes
 * n leaf hashes and n - 1 node hashes. These go to the same OpenSSL SHA-256 that node:crypto
 * uses (Node exports OpenSSL to addons), through one digest context a call.
 */
#include <node_api.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* Must equal LEAF_START in range-hashing.ts. */
#define LEAF_START 0x1e
#define HASH_BYTES 32

/* One SHA-256 context for one call, so that worker threads never share one (OpenSSL 3: EVP_MD_fetch). */
typedef struct {
  EVP_MD_CTX *context;
  EVP_MD *sha256;
} Hasher;

static int hasher_open(Hasher *hasher) {
  hasher->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
  hasher->context = EVP_MD_CTX_new();
  return hasher->sha256 != NULL && hasher->context != NULL;
}

static void hasher_close(Hasher *hasher) {
  EVP_MD_CTX_free(hasher->context);
  EVP_MD_free(hasher->sha256);
}

static int sha256(Hasher *hasher, const unsigned char *bytes, size_t length, unsigned char *digest) {
  return EVP_DigestInit_ex(hasher->context, hasher->sha256, NULL) && EVP_DigestUpdate(hasher->context, bytes, length) &&
         EVP_DigestFinal_ex(hasher->context, digest, NULL);
}

static napi_value undefined(napi_env env) {
  napi_value value;
  napi_get_undefined(env, &value);
  return value;
}

static napi_value thrown(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* What an empty Buffer's bytes are (Node may give no pointer for one): never read or written. */
static unsigned char no_bytes[1];

/* The bytes of a Buffer argument, or NULL after throwing a TypeError. */
static unsigned char *buffer_argument(napi_env env, napi_value value, size_t *length) {
  bool is_buffer = false;
  void *data = NULL;
  if (napi_is_buffer(env, value, &is_buffer) != napi_ok || !is_buffer || napi_get_buffer_info(env, value, &data, length) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a Buffer");
    return NULL;
  }
  return data != NULL ? data : no_bytes;
}

/*
 * leafHashes(bytes: Buffer, count: number): Buffer | undefined
 * `bytes` holds `count` leaves back to back, each begun by LEAF_START, which is overwritten with
 * the leaf's 0x00 byte; each ends where the next LEAF_START is, the last at the end of `bytes`.
 * Returns the leaf hashes back to back, or undefined when `bytes` does not hold exactly `count`
 * leaves, no more LEAF_START bytes than that (or `count` is not a whole number of them).
 */
static napi_value leaf_hashes(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  double requested = 0;
  size_t length = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) return thrown(env, "leafHashes(bytes, count)");
  unsigned char *bytes = buffer_argument(env, argv[0], &length);
  if (bytes == NULL) return NULL;
  if (napi_get_value_double(env, argv[1], &requested) != napi_ok) return thrown(env, "count must be a number");
  /* Each leaf takes at least its LEAF_START byte: a count that cannot fit is no range of leaves. */
  if (!(requested >= 0 && requested <= (double)length && requested == (double)(size_t)requested)) return undefined(env);
  size_t count = (size_t)requested;
  napi_value result;
  unsigned char *hashes;
  if (napi_create_buffer(env, count * HASH_BYTES, (void **)&hashes, &result) != napi_ok) return thrown(env, "out of memory");
  Hasher hasher;
  if (!hasher_open(&hasher)) {
    hasher_close(&hasher);
    return thrown(env, "OpenSSL has no SHA-256");
  }
  size_t start = 0;
  int leaves = 1;
  int hashed = 1;
  for (size_t i = 0; hashed && i < count; i++) {
    if (start >= length || bytes[start] != LEAF_START) {
      leaves = 0;
      break;
    }
    const unsigned char *next = memchr(bytes + start + 1, LEAF_START, length - start - 1);
    /* The last leaf runs to the end: a LEAF_START inside it would mean one cut in the wrong place. */
    if ((i + 1 < count) != (next != NULL)) {
      leaves = 0;
      break;
    }
    size_t end = next != NULL ? (size_t)(next - bytes) : length;
    bytes[start] = 0x00;
    hashed = sha256(&hasher, bytes + start, end - start, hashes + i * HASH_BYTES);
    start = end;
  }
  hasher_close(&hasher);
  if (!hashed) return thrown(env, "SHA-256 failed");
  return leaves ? result : undefined(env);
}

/*
 * edge(leafHashes: Buffer): Buffer
 * The hashes of decomposition(n) over n leaf hashes (largest subtree first), back to back: each
 * level's nodes SHA-256(0x01 || left || right), an odd level's last hash kept for the edge.
 */
static napi_value edge(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  size_t length = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return thrown(env, "edge(leafHashes)");
  const unsigned char *leaves = buffer_argument(env, argv[0], &length);
  if (leaves == NULL) return NULL;
  if (length % HASH_BYTES != 0) {
    napi_throw_range_error(env, NULL, "leaf hashes come 32 bytes each");
    return NULL;
  }
  size_t width = length / HASH_BYTES;
  unsigned char *level = malloc(length > 0 ? length : 1);
  /* One hash per set bit of the width: at most 64. */
  unsigned char found[64 * HASH_BYTES];
  size_t edges = 0;
  unsigned char input[1 + 2 * HASH_BYTES];
  if (level == NULL) return thrown(env, "out of memory");
  Hasher hasher;
  int ok = hasher_open(&hasher);
  if (ok) memcpy(level, leaves, length);
  input[0] = 0x01;
  for (; ok && width > 0; width /= 2) {
    if (width % 2 == 1) memcpy(found + HASH_BYTES * edges++, level + HASH_BYTES * (width - 1), HASH_BYTES);
    for (size_t i = 0; ok && i + 1 < width; i += 2) {
      memcpy(input + 1, level + HASH_BYTES * i, 2 * HASH_BYTES);
      ok = sha256(&hasher, input, sizeof input, level + HASH_BYTES * (i / 2));
    }
  }
  hasher_close(&hasher);
  free(level);
  if (!ok) return thrown(env, "SHA-256 failed");
  napi_value result;
  unsigned char *out;
  if (napi_create_buffer(env, edges * HASH_BYTES, (void **)&out, &result) != napi_ok) return NULL;
  /* Found smallest subtree first. */
  for (size_t i = 0; i < edges; i++) memcpy(out + HASH_BYTES * i, found + HASH_BYTES * (edges - 1 - i), HASH_BYTES);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value function;
  napi_create_function(env, "leafHashes", NAPI_AUTO_LENGTH, leaf_hashes, NULL, &function);
  napi_set_named_property(env, exports, "leafHashes", function);
  napi_create_function(env, "edge", NAPI_AUTO_LENGTH, edge, NULL, &function);
  napi_set_named_property(env, exports, "edge", function);
  return exports;
}
