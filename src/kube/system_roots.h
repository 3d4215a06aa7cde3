// The system's trusted roots, parsed once per process and shared by every TLS client
// that trusts them, instead of once per connection.
//
// cpprestsdk gives each new connection an SSL_CTX of its own and calls
// SSL_CTX_set_default_verify_paths on it before the client's callback runs. OpenSSL then
// parses the whole system bundle into that context: 144 roots on Debian 12, about 1 MiB
// of heap and a few milliseconds of CPU, for every connection, even those whose callback
// replaces the store with the cluster's CA at once (MakeHttpClientConfig). Measured with
// heaptrack at startup: 7.2 MiB of the controller's 9.5 MiB heap peak were these copies,
// one per watch connection opening at the same time.
//
// DetachSystemRootsFromDefaults resolves where the roots are, as OpenSSL would
// (SSL_CERT_FILE and SSL_CERT_DIR when set, else its built-in paths), remembers that,
// and then sets both variables empty, so that the per-connection default load finds
// nothing to parse. SharedSystemRoots gives one store loaded from the remembered places
// on first use; a client that trusts the system (no CA of its own) takes a reference to
// it. It changes the process environment, so the controller calls it first thing in
// main, before any thread exists; a process that never calls it is unchanged.
//
//   int main() { certplane::kube::DetachSystemRootsFromDefaults(); ... }
//   SSL_CTX_set1_cert_store(ctx, certplane::kube::SharedSystemRoots());
#pragma once

#include <openssl/x509.h>

namespace certplane::kube {

// Once per process, before any thread starts; later calls do nothing.
void DetachSystemRootsFromDefaults();

// The system roots as one store, loaded on first use and kept for the life of the
// process; the caller does not own it (SSL_CTX_set1_cert_store takes its own
// reference). Never null: with no roots found the store is empty and every
// verification against it fails.
X509_STORE* SharedSystemRoots();

}  // namespace certplane::kube
