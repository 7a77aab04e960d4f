// Leak reports that LeakSanitizer (part of RAFTSIM_SANITIZE builds) leaves out, compiled into
// every sanitized target.
//
// libcrypto: a short-lived process that spoke TLS through gRPC (`raftsim kv` with --tls-*) can
// exit while gRPC still holds OpenSSL contexts it would free later. Seen once in 20 rounds of
// the real-mode tests under load (bench/RESULTS-load.md): a report naming only OpenSSL's
// allocator, never raftsim's code, turned a `kv get` that had printed its value into exit 1.
extern "C" const char* __lsan_default_suppressions() {  // NOLINT: the sanitizer's hook name
  return "leak:libcrypto.so\n";
}

// Quiet about the suppressions it used: tests compare a process's whole output.
extern "C" const char* __lsan_default_options() {  // NOLINT: the sanitizer's hook name
  return "print_suppressions=0";
}
