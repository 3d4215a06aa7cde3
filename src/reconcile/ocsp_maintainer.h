// OcspMaintainer: keeps what every replica's OCSP responder reads (ocsp_material.h)
// current for each CertificateAuthority. Runs on the leader only, as the one worker of an
// "ocsp" controller keyed by CA name.
//
// For each CA key still in use (the current one and every retired one in the key
// Secret) it keeps one delegated responder certificate: a fresh P-256 key, issued by
// that key's CA certificate with id-kp-OCSPSigning and id-pkix-ocsp-nocheck, valid for
// `signer_validity` (default 3 days) and replaced once two thirds of that have passed,
// or when the CA certificate of that key changes. A retired key's certificates are so
// answered by a responder that key issued, as RFC 6960 4.2.2.2 requires.
//
// It also keeps the durable record of the serials the CA issued: the record as it was,
// plus every serial the cached Certificates name (status.serialNumber and
// status.history, ACME-issued ones included, as ACME orders are Certificates), minus
// those expired. A serial stays in the record after its Certificate is deleted, so the
// responder tells "issued by us" (good or revoked) from "never issued" (unknown). The
// record is kept in shards of at most `serials_per_shard` serials; new serials go to the
// lowest shard with room, so shards emptied by expiry fill again and the number of
// shards follows the number of unexpired serials.
//
// Then it records the responder in the CA's status.ocsp (URL, signers, record size).
//
//   OcspMaintainer m({.client = client, .caches = &caches, .signers = &signers,
//                     .public_base_url = "https://pki.example.com"});
//   kube::ReconcileResult r = m.Reconcile({.name = "example-issuing"});
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <map>
#include <mutex>
#include <vector>
#include "kube/clock.h"
#include "kube/controller.h"
#include "kube/event_recorder.h"
#include "kube/rest_client.h"
#include "reconcile/ca_signers.h"

#include "api/certificate.h"
#include "reconcile/caches.h"
#include "reconcile/expectations.h"
#include "reconcile/write_pacer.h"

namespace certplane::reconcile {

struct OcspMaintainerDeps {
  std::shared_ptr<kube::Client> client;
  const Caches* caches = nullptr;
  CaSigners* signers = nullptr;
  kube::EventRecorder* events = nullptr;
  std::shared_ptr<kube::Clock> clock;
  std::string field_manager = "certplane";
  std::string public_base_url;
  // How long a delegated responder certificate is valid.
  kube::Duration signer_validity = std::chrono::hours(72);
  // The record of issued serials grows with every issuance; it is written at most this
  // often (a serial not yet in it is answered from the live Certificates meanwhile).
  kube::Duration record_interval = std::chrono::seconds(10);
  // At most this many serials in one ConfigMap of the record (ocsp_material.h): at up to
  // 52 bytes a line, 10,000 keep a shard near half a megabyte, under the API server's
  // 1 MiB per object, and a growing record rewrites the shard that takes the new serials,
  // not all of them.
  std::size_t serials_per_shard = 10000;
};

// The URL of CA `ca`'s responder under `public_base_url`; "" when that is empty.
std::string OcspUrl(const std::string& public_base_url, const std::string& ca);

class OcspMaintainer {
 public:
  explicit OcspMaintainer(OcspMaintainerDeps deps);

  // The "ocsp" controller's reconcile; the key is a CA name. Requeues itself for the
  // next responder rotation.
  kube::ReconcileResult Reconcile(const kube::Request& request);

  // A Certificate is gone from the caches: its serials join their CAs' records on the
  // next reconcile without waiting for the record's interval (nothing else remembers
  // them now). Thread-safe; the caller enqueues the CAs it returns.
  std::vector<std::string> Departed(const api::Certificate& cert);

 private:
  OcspMaintainerDeps deps_;
  WritePacer record_writes_;  // by CA name
  // The responder Secrets and records written and not yet seen in the caches, by
  // "signers/<ca>" and "record/<ca>" with the resourceVersion written: until the cache
  // shows it, a reconcile waits instead of finding nothing, signing a new responder and
  // failing to create what already exists.
  Expectations written_;
  std::mutex departed_mu_;
  std::map<std::string, IssuedSerialMap> departed_;  // guarded by departed_mu_; by CA name
  // The highest shard of each CA's record written by this process, so that a shard just
  // created and not yet cached is waited for like the others. Only the one "ocsp" worker
  // touches it.
  std::map<std::string, int> highest_shard_written_;
};

}  // namespace certplane::reconcile
