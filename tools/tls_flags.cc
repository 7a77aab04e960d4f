#include "tls_flags.h"

namespace raftsim::tools {

void add_tls_options(CLI::App& cmd, real::TlsFiles& tls, const std::string& whose) {
  cmd.add_option("--tls-cert", tls.cert, "Mutual TLS: " + whose + " certificate (PEM)")
      ->check(CLI::ExistingFile);
  cmd.add_option("--tls-key", tls.key, "Mutual TLS: " + whose + " private key (PEM)")
      ->check(CLI::ExistingFile);
  cmd.add_option("--tls-ca", tls.ca, "Mutual TLS: the CA that signs every certificate (PEM)")
      ->check(CLI::ExistingFile);
}

}  // namespace raftsim::tools
