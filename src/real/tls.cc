#include "real/tls.h"

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/auth_context.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

namespace raftsim::real {

namespace {

// How many distinct accepted certificates are remembered; past that the memory starts afresh
// (each is checked again on its next call).
constexpr size_t kRememberedCertificates = 256;

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::variant<std::optional<TlsPems>, std::string> load_tls(const TlsFiles& files) {
  if (!files.enabled()) return std::optional<TlsPems>{};
  const std::pair<const char*, const std::string*> named[] = {
      {"--tls-cert", &files.cert}, {"--tls-key", &files.key}, {"--tls-ca", &files.ca}};
  TlsPems pems;
  std::string* into[] = {&pems.cert, &pems.key, &pems.ca};
  for (size_t i = 0; i < 3; ++i) {
    const auto& [flag, path] = named[i];
    if (path->empty()) {
      return fmt::format("TLS needs --tls-cert, --tls-key and --tls-ca together; {} is missing",
                         flag);
    }
    std::optional<std::string> text = read_file(*path);
    if (!text) return fmt::format("{}: cannot read ({})", *path, flag);
    if (text->find("-----BEGIN ") == std::string::npos) {
      return fmt::format("{}: not a PEM file ({})", *path, flag);
    }
    *into[i] = std::move(*text);
  }
  return std::optional<TlsPems>{std::move(pems)};
}

std::shared_ptr<grpc::ServerCredentials> server_credentials(const std::optional<TlsPems>& tls) {
  if (!tls) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
  options.pem_root_certs = tls->ca;
  options.pem_key_cert_pairs.push_back({tls->key, tls->cert});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> channel_credentials(const std::optional<TlsPems>& tls) {
  if (!tls) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = tls->ca;
  options.pem_private_key = tls->key;
  options.pem_cert_chain = tls->cert;
  return grpc::SslCredentials(options);
}

struct CallerGate::State {
  std::mutex mutex;
  std::set<std::string> accepted;
};

CallerGate::CallerGate(const std::optional<TlsPems>& tls)
    : enabled_(tls.has_value()), state_(std::make_unique<State>()) {
  if (!tls) return;
  BIO* bio = BIO_new_mem_buf(tls->ca.data(), static_cast<int>(tls->ca.size()));
  if (!bio) return;
  X509_STORE* store = X509_STORE_new();
  int loaded = 0;
  while (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    loaded += X509_STORE_add_cert(store, ca);
    X509_free(ca);
  }
  BIO_free(bio);
  if (loaded == 0) {
    X509_STORE_free(store);
    return;
  }
  store_ = store;
}

CallerGate::~CallerGate() {
  if (store_) X509_STORE_free(store_);
}

bool CallerGate::admits(const grpc::ServerContextBase& call) {
  if (!enabled_) return true;
  const std::shared_ptr<const grpc::AuthContext> caller = call.auth_context();
  if (caller && verify(*caller)) return true;
  ++refused_;
  return false;
}

bool CallerGate::verify(const grpc::AuthContext& caller) {
  if (!store_) return false;
  const std::vector<grpc::string_ref> pems =
      caller.FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
  if (pems.empty()) return false;  // no certificate shown
  const std::string pem(pems.front().begin(), pems.front().end());
  {
    std::lock_guard lock(state_->mutex);
    if (state_->accepted.contains(pem)) return true;
  }
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = bio ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
  if (bio) BIO_free(bio);
  if (!cert) return false;
  // The chain the caller sent beyond its own certificate (intermediates) is untrusted input.
  STACK_OF(X509)* chain = sk_X509_new_null();
  for (const grpc::string_ref& extra :
       caller.FindPropertyValues(GRPC_X509_PEM_CERT_CHAIN_PROPERTY_NAME)) {
    BIO* b = BIO_new_mem_buf(extra.data(), static_cast<int>(extra.size()));
    while (X509* c = b ? PEM_read_bio_X509(b, nullptr, nullptr, nullptr) : nullptr)
      sk_X509_push(chain, c);
    if (b) BIO_free(b);
  }
  X509_STORE_CTX* context = X509_STORE_CTX_new();
  bool ok = context && X509_STORE_CTX_init(context, store_, cert, chain) == 1 &&
            X509_STORE_CTX_set_purpose(context, X509_PURPOSE_SSL_CLIENT) == 1 &&
            X509_verify_cert(context) == 1;
  if (context) X509_STORE_CTX_free(context);
  sk_X509_pop_free(chain, X509_free);
  X509_free(cert);
  if (ok) {
    std::lock_guard lock(state_->mutex);
    if (state_->accepted.size() >= kRememberedCertificates) state_->accepted.clear();
    state_->accepted.insert(pem);
  }
  return ok;
}

}  // namespace raftsim::real
