// TLS for real mode: every node and client holds a certificate signed by the cluster's CA, and
// every connection between them is mutual TLS. Without certificates everything is plaintext,
// which is meant for loopback only.
//
// A node asks each caller for its certificate but lets the handshake finish without one; the
// node itself then checks, on every call, that the caller's certificate chains to the CA. A
// caller without a valid certificate is thus refused per call (UNAUTHENTICATED) and counted,
// where a handshake failure would be invisible to the node. The handshake still proves that the
// caller holds the key of the certificate it shows. Callers check a node's certificate against
// the CA and the address they dialled (so a node's certificate names 127.0.0.1 or its host).
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "real/cluster_file.h"

struct x509_store_st;  // OpenSSL's X509_STORE

namespace raftsim::real {

// The contents of the three files.
struct TlsPems {
  std::string cert, key, ca;
};

// Reads the files; an error names the missing flag or the file that cannot be read. No files:
// no TLS (nullopt).
std::variant<std::optional<TlsPems>, std::string> load_tls(const TlsFiles& files);

// Plaintext without `tls`.
std::shared_ptr<grpc::ServerCredentials> server_credentials(const std::optional<TlsPems>& tls);
std::shared_ptr<grpc::ChannelCredentials> channel_credentials(const std::optional<TlsPems>& tls);

// Admits a call when TLS is off, or when its caller shows a certificate that chains to the CA;
// counts what it refuses. Thread-safe; remembers the certificates it has accepted, so a caller
// pays for the check once.
class CallerGate {
 public:
  explicit CallerGate(const std::optional<TlsPems>& tls);
  ~CallerGate();
  CallerGate(const CallerGate&) = delete;
  CallerGate& operator=(const CallerGate&) = delete;

  // False when TLS is on and the CA file holds no certificate.
  bool ok() const { return !enabled_ || store_ != nullptr; }
  bool admits(const grpc::ServerContextBase& call);
  uint64_t refused() const { return refused_.load(); }

 private:
  bool verify(const grpc::AuthContext& caller);

  struct State;
  bool enabled_ = false;
  x509_store_st* store_ = nullptr;  // the CA
  std::unique_ptr<State> state_;
  std::atomic<uint64_t> refused_ = 0;
};

inline constexpr const char* kNoValidCertificate = "no valid client certificate";

// A stream refused before anything is read.
template <class Message>
class RefusedReader final : public grpc::ServerReadReactor<Message> {
 public:
  RefusedReader() {
    this->Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, kNoValidCertificate));
  }

 private:
  void OnDone() override { delete this; }
};

}  // namespace raftsim::real
