# verify's range hashing (src/audit/verify/native): optional; `npm ci` builds it when a compiler is
# there, and verify hashes through node:crypto when it is not built.
{
  "targets": [
    {
      "target_name": "range_hashes",
      "sources": ["src/audit/verify/native/range-hashes.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      # Every symbol bound when Node loads it: a Node whose OpenSSL lacks one (EVP_MD_fetch is
      # OpenSSL 3's) then fails to load the addon, and verify hashes through node:crypto.
      "ldflags": ["-Wl,-z,now"]
    }
  ]
}
