#include "commands.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <openssl/crypto.h>

#include "actions.h"
#include "api/certificate_authority_json.h"
#include "api/certificate_json.h"
#include "api/well_known.h"
#include "export_bundle.h"
#include "files.h"
#include "inventory.h"
#include "kube/base64.h"
#include "kube/config.h"
#include "kube/resource.h"
#include "kube/rest_client.h"
#include "status_view.h"

namespace certplane::plugin {
namespace {

// The plugin does not link the controller's libraries; the certplane resources it reads.
const kube::GroupVersionResource kCertificates{"certplane.io", "v1alpha1", "certificates", true};
const kube::GroupVersionResource kCertificateAuthoritiesGvr{"certplane.io", "v1alpha1", "certificateauthorities",
                                                            false};
const kube::GroupVersionResource kCertificateSyncs{"certplane.io", "v1alpha1", "certificatesyncs", true};

api::Time Now() { return api::ToTime(std::chrono::system_clock::now()); }

struct Session {
  std::shared_ptr<kube::Client> client;
  std::string ns;      // the namespace commands address
  std::string server;  // for messages
};

Result<Session> Connect(const Invocation& inv) {
  kube::LoadOptions load;
  load.kubeconfig = inv.kubeconfig;
  load.context = inv.context;
  Result<kube::ClusterConfig> config = kube::LoadClusterConfig(load);
  if (!config.ok()) return config.status().WithContext("loading the kubeconfig");
  Session s;
  s.ns = inv.ns.value_or(config->ns);
  if (s.ns.empty()) s.ns = "default";
  s.server = config->server;
  kube::ClientOptions options;
  options.user_agent = "kubectl-certplane/" CERTPLANE_VERSION;
  options.qps = 50;
  options.burst = 100;
  options.timeout = std::chrono::seconds(30);
  Result<std::shared_ptr<kube::Client>> client = kube::Client::Create(*config, options);
  if (!client.ok()) return client.status().WithContext("connecting to " + config->server);
  s.client = std::move(*client);
  return s;
}

// An API failure as one line for people: what was being done, and what the server said.
std::string Explain(const Status& s, const std::string& doing, const Session& session) {
  switch (s.code()) {
    case StatusCode::kPermissionDenied: return doing + ": forbidden: " + s.message();
    case StatusCode::kUnauthenticated:
      return doing + ": unauthorized (check the kubeconfig's credentials): " + s.message();
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
      return doing + ": cannot reach the API server " + session.server + ": " + s.message();
    default: return doing + ": " + s.message();
  }
}

std::string NotFoundMessage(const std::string& name, const std::string& ns) {
  return "certificate \"" + name + "\" not found in namespace \"" + ns + "\"";
}

// Reads and decodes one Certificate; on failure writes the error and returns nullopt.
std::optional<api::Certificate> GetCertificate(Session& session, const std::string& name, std::ostream& err) {
  kube::ApiResult<nlohmann::json> got = session.client->Get(kCertificates, session.ns, name);
  if (!got.ok()) {
    if (got.status().code() == StatusCode::kNotFound) {
      const kube::ApiError* e = got.api_error();
      // A 404 for the whole resource (no CRD) reads differently from a missing object.
      if (e != nullptr && e->message.find("the server could not find the requested resource") != std::string::npos) {
        err << "error: the certplane CRDs are not installed on " << session.server
            << " (certificates.certplane.io not found)\n";
      } else {
        err << "error: " << NotFoundMessage(name, session.ns) << "\n";
      }
    } else {
      err << "error: " << Explain(got.status(), "getting certificate " + session.ns + "/" + name, session) << "\n";
    }
    return std::nullopt;
  }
  Result<api::Certificate> cert = api::DecodeCertificate(*got);
  if (!cert.ok()) {
    err << "error: " << cert.status().message() << "\n";
    return std::nullopt;
  }
  return std::move(*cert);
}

// The CertificateSyncs of `ns` (every namespace when empty) in one LIST. Best effort:
// on failure the listing's error says why (forbidden, or no CRD: a controller without
// CertificateSync), for the output to show in their place.
struct ListedSyncs {
  nlohmann::json items = nlohmann::json::array();
  std::string error;
};

ListedSyncs ListSyncs(Session& session, const std::string& ns) {
  ListedSyncs listed;
  kube::ApiResult<std::string> result =
      session.client->ListEach(kCertificateSyncs, ns, {}, [&](nlohmann::json&& item) -> Status {
        listed.items.push_back(std::move(item));
        return Status::Ok();
      });
  if (result.ok()) return listed;
  listed.items = nlohmann::json::array();
  if (result.status().code() == StatusCode::kNotFound) {
    listed.error = "the CertificateSync CRD is not installed (certificatesyncs.certplane.io not found)";
  } else {
    const std::string where = ns.empty() ? "in all namespaces" : "in namespace " + ns;
    listed.error = Explain(result.status(), "listing certificatesyncs " + where, session);
  }
  return listed;
}

int Inventory(const Invocation& inv, Session& session, std::ostream& out, std::ostream& err) {
  const api::Time now = Now();
  std::vector<api::Certificate> certificates;
  const std::string ns = inv.all_namespaces ? std::string() : session.ns;
  kube::ApiResult<std::string> listed =
      session.client->ListEach(kCertificates, ns, {}, [&](nlohmann::json&& item) -> Status {
        Result<api::Certificate> cert = api::DecodeCertificate(item);
        if (!cert.ok()) {
          err << "warning: skipping a certificate that does not decode: " << cert.status().message() << "\n";
          return Status::Ok();
        }
        certificates.push_back(std::move(*cert));
        return Status::Ok();
      });
  if (!listed.ok()) {
    if (listed.status().code() == StatusCode::kNotFound) {
      err << "error: the certplane CRDs are not installed on " << session.server
          << " (certificates.certplane.io not found)\n";
    } else {
      const std::string where = inv.all_namespaces ? "in all namespaces" : "in namespace " + ns;
      err << "error: " << Explain(listed.status(), "listing certificates " + where, session) << "\n";
    }
    return kExitFailed;
  }
  InventoryFilter filter;
  filter.profile = inv.profile;
  filter.expiring_within = inv.expiring_within;
  filter.revoked_only = inv.revoked_only;
  std::vector<InventoryRow> rows = BuildInventory(certificates, filter, now);
  if (rows.empty() && (inv.output == OutputFormat::kTable || inv.output == OutputFormat::kWide)) {
    err << "No certificates found" << (inv.all_namespaces ? "" : " in namespace " + ns)
        << (certificates.empty() ? "" : " that match the filters") << ".\n";
    return kExitOk;
  }
  // SYNCED (wide) and "syncs" (json, yaml); the plain table has no use for them.
  if (inv.output != OutputFormat::kTable && !rows.empty()) {
    ListedSyncs listed = ListSyncs(session, ns);
    SyncListing syncs;
    syncs.error = std::move(listed.error);
    if (syncs.error.empty()) {
      syncs.views = DecodeSyncViews(listed.items);
    } else {
      err << "warning: " << syncs.error
          << (inv.output == OutputFormat::kWide ? "; SYNCED shows ?" : "; \"syncs\" is left out") << "\n";
    }
    AttachSyncs(rows, syncs);
  }
  out << RenderInventory(rows, inv.output);
  return kExitOk;
}

int ShowStatus(const Invocation& inv, Session& session, std::ostream& out, std::ostream& err) {
  std::optional<api::Certificate> cert = GetCertificate(session, inv.name, err);
  if (!cert) return kExitFailed;
  kube::ListOptions options;
  options.field_selector = "regarding.kind=" + std::string(api::kCertificateKind) + ",regarding.name=" + inv.name;
  std::vector<EventView> events;
  std::string events_error;
  nlohmann::json items = nlohmann::json::array();
  kube::ApiResult<std::string> listed =
      session.client->ListEach(kube::kEvents, session.ns, options, [&](nlohmann::json&& item) -> Status {
        items.push_back(std::move(item));
        return Status::Ok();
      });
  if (listed.ok()) {
    events = DecodeEvents(items);
  } else {
    events_error = Explain(listed.status(), "listing events", session);
  }
  // The issuing CA says how revocation can be checked; best effort (a user may not be
  // allowed to read CertificateAuthorities).
  std::optional<api::CertificateAuthority> ca;
  if (!cert->status.ca_name.empty()) {
    auto got = session.client->Get(kCertificateAuthoritiesGvr, "", cert->status.ca_name);
    if (got.ok()) {
      if (auto decoded = api::DecodeCertificateAuthority(*got); decoded.ok()) ca = std::move(*decoded);
    }
  }
  // Where it is pushed; best effort, like the events.
  ListedSyncs listed_syncs = ListSyncs(session, session.ns);
  SyncListing syncs;
  syncs.error = std::move(listed_syncs.error);
  if (syncs.error.empty()) syncs.views = DecodeSyncViews(listed_syncs.items, cert->metadata.name, cert->metadata.uid);
  out << RenderStatus(*cert, events, Now(), events_error, ca ? &*ca : nullptr, syncs);
  return kExitOk;
}

int Renew(const Invocation& inv, Session& session, std::ostream& out, std::ostream& err) {
  std::optional<api::Certificate> cert = GetCertificate(session, inv.name, err);
  if (!cert) return kExitFailed;
  if (Status s = CheckRenewable(*cert); !s.ok()) {
    err << "error: " << s.message() << "\n";
    return kExitFailed;
  }
  // The controller renews when the annotation is later than the last issuance, in whole
  // seconds: right after an issuance, wait for the next second rather than be ignored.
  api::Time now = Now();
  if (const auto& last = cert->status.last_issuance_time;
      last && now <= *last && *last - now < std::chrono::seconds(5)) {
    std::this_thread::sleep_until(std::chrono::system_clock::time_point(*last + std::chrono::seconds(1)));
    now = Now();
  }
  kube::ApiResult<nlohmann::json> patched = session.client->MergePatch(
      kCertificates, session.ns, inv.name, RenewPatch(now), {.field_manager = "kubectl-certplane"});
  if (!patched.ok()) {
    if (patched.status().code() == StatusCode::kNotFound) {
      err << "error: " << NotFoundMessage(inv.name, session.ns) << "\n";
    } else {
      err << "error: " << Explain(patched.status(), "requesting renewal of " + session.ns + "/" + inv.name, session)
          << "\n";
    }
    return kExitFailed;
  }
  out << "certificate.certplane.io/" << inv.name << " renewal requested: " << api::kRenewRequestedAtAnnotation << "="
      << api::FormatTime(now) << "\n";
  if (!cert->status.serial_number.empty()) {
    out << "The controller replaces serial " << cert->status.serial_number << " shortly; 'kubectl certplane status "
        << inv.name << " -n " << session.ns << "' shows the new one.\n";
  }
  return kExitOk;
}

int Revoke(const Invocation& inv, Session& session, std::ostream& out, std::ostream& err) {
  std::optional<api::Certificate> cert = GetCertificate(session, inv.name, err);
  if (!cert) return kExitFailed;
  const std::string reason(api::ToString(*inv.reason));
  Result<RevokePlan> plan = PlanRevocation(*cert, *inv.reason);
  if (!plan.ok()) {
    err << "error: " << plan.status().message() << "\n";
    return kExitFailed;
  }
  if (*plan == RevokePlan::kAlreadyRevoked) {
    out << "certificate.certplane.io/" << inv.name << " is already revoked (" << reason << "); nothing changed\n";
    return kExitOk;
  }
  kube::ApiResult<nlohmann::json> patched = session.client->MergePatch(
      kCertificates, session.ns, inv.name, RevokePatch(*inv.reason), {.field_manager = "kubectl-certplane"});
  if (!patched.ok()) {
    if (patched.status().code() == StatusCode::kNotFound) {
      err << "error: " << NotFoundMessage(inv.name, session.ns) << "\n";
    } else {
      err << "error: " << Explain(patched.status(), "revoking " + session.ns + "/" + inv.name, session) << "\n";
    }
    return kExitFailed;
  }
  out << "certificate.certplane.io/" << inv.name << " revoked (" << reason << ")";
  if (!cert->status.serial_number.empty()) {
    out << ": serial " << cert->status.serial_number << " goes on the CRL of CA "
        << (cert->status.ca_name.empty() ? "?" : cert->status.ca_name);
  }
  out << "\n";
  out << (api::IsFinal(*inv.reason) ? "It will not be renewed. " : "On hold until spec.revocation is removed. ")
      << "'kubectl certplane status " << inv.name << " -n " << session.ns
      << "' shows Revoked=True once it is on the CRL.\n";
  return kExitOk;
}

// The Secret's data[key], decoded; the JSON's copy of it is wiped.
SensitiveString TakeSecretValue(nlohmann::json& secret, const char* key) {
  if (!secret.contains("data") || !secret["data"].is_object()) return {};
  nlohmann::json& data = secret["data"];
  if (!data.contains(key) || !data[key].is_string()) return {};
  std::string& b64 = data[key].get_ref<std::string&>();
  std::optional<std::string> value = kube::Base64Decode(b64);
  OPENSSL_cleanse(b64.data(), b64.size());
  if (!value) return {};
  SensitiveString out(*value);
  OPENSSL_cleanse(value->data(), value->size());
  return out;
}

void WipeSecretData(nlohmann::json& secret) {
  if (!secret.contains("data") || !secret["data"].is_object()) return;
  for (auto& [key, value] : secret["data"].items()) {
    if (value.is_string()) {
      std::string& s = value.get_ref<std::string&>();
      OPENSSL_cleanse(s.data(), s.size());
    }
  }
}

int Export(const Invocation& inv, Session& session, std::ostream& out, std::ostream& err) {
  std::optional<api::Certificate> cert = GetCertificate(session, inv.name, err);
  if (!cert) return kExitFailed;
  if (Status s = CheckExportable(*cert); !s.ok()) {
    err << "error: " << s.message() << "\n";
    return kExitFailed;
  }
  const std::string secret_name = cert->spec.secret_name;
  const std::string secret_key = session.ns + "/" + secret_name;
  kube::ApiResult<nlohmann::json> got = session.client->Get(kube::kSecrets, session.ns, secret_name);
  if (!got.ok()) {
    if (got.status().code() == StatusCode::kNotFound) {
      err << "error: Secret " << secret_key << " of certificate " << inv.name
          << " not found (not issued yet? see 'kubectl certplane status " << inv.name << " -n " << session.ns << "')\n";
    } else {
      err << "error: " << Explain(got.status(), "reading Secret " + secret_key, session) << "\n";
    }
    return kExitFailed;
  }
  nlohmann::json secret = std::move(*got);
  SecretMaterial material;
  material.tls_crt = TakeSecretValue(secret, "tls.crt");
  material.tls_key = TakeSecretValue(secret, "tls.key");
  material.ca_crt = TakeSecretValue(secret, "ca.crt");
  WipeSecretData(secret);

  SensitiveString password;
  ExportOptions options;
  options.format = inv.format;
  options.alias = inv.name;
  options.pkcs12_profile = inv.pkcs12_profile;
  if (inv.format == ExportFormat::kPkcs12) {
    Result<SensitiveString> pw =
        inv.password_file.empty() ? PromptNewPassword("keystore") : ReadPasswordFile(inv.password_file);
    if (!pw.ok()) {
      err << "error: " << pw.status().message() << "\n";
      return kExitFailed;
    }
    password = std::move(*pw);
    options.password = password.view();
  }
  Result<ExportBundle> bundle = BuildExport(material, options);
  if (!bundle.ok()) {
    err << "error: Secret " << secret_key << ": " << bundle.status().message() << "\n";
    return kExitFailed;
  }
  if (!cert->status.serial_number.empty() && cert->status.serial_number != bundle->serial) {
    err << "warning: the Secret holds serial " << bundle->serial << " but the certificate's status names "
        << cert->status.serial_number << " (a renewal may be in progress); exporting what the Secret holds\n";
  }
  if (Status s = WriteExportFiles(inv.out_dir, bundle->files, inv.overwrite); !s.ok()) {
    err << "error: " << s.message() << "\n";
    return kExitFailed;
  }
  out << "exported certificate " << session.ns << "/" << inv.name << " (serial " << bundle->serial << ") to "
      << inv.out_dir << ":\n";
  for (const ExportFile& f : bundle->files) {
    std::string name = f.name;
    if (name.size() < 16) name.resize(16, ' ');
    out << "  " << name << " " << (f.secret ? "0600" : "0644") << "  " << f.description << "\n";
  }
  return kExitOk;
}

}  // namespace

int RunCommand(const Invocation& inv, std::ostream& out, std::ostream& err) {
  if (inv.command == Command::kVersion) {
    out << "kubectl-certplane " << CERTPLANE_VERSION << "\n";
    return kExitOk;
  }
  Result<Session> session = Connect(inv);
  if (!session.ok()) {
    err << "error: " << session.status().message() << "\n";
    return kExitFailed;
  }
  switch (inv.command) {
    case Command::kInventory: return Inventory(inv, *session, out, err);
    case Command::kStatus: return ShowStatus(inv, *session, out, err);
    case Command::kRenew: return Renew(inv, *session, out, err);
    case Command::kRevoke: return Revoke(inv, *session, out, err);
    case Command::kExport: return Export(inv, *session, out, err);
    case Command::kNone:
    case Command::kVersion: break;
  }
  err << "error: no command\n";
  return kExitUsage;
}

}  // namespace certplane::plugin
