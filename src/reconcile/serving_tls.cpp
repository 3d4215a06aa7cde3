#include "reconcile/serving_tls.h"

#include <openssl/crypto.h>

#include "api/time.h"
#include "kube/logging.h"
#include "kube/secret_data.h"

namespace certplane::reconcile {
namespace {

kube::InformerOptions<ServingSecret> SecretOptions(const ServingTlsOptions& o) {
  kube::InformerOptions<ServingSecret> out;
  out.resource = kube::kSecrets;
  out.ns = o.ns;
  out.field_selector = "metadata.name=" + o.secret_name;
  out.decode = DecodeServingSecret;
  out.name = "serving-secret";
  return out;
}

}  // namespace

Result<ServingSecret> DecodeServingSecret(const nlohmann::json& secret) {
  ServingSecret out;
  try {
    out.metadata = secret.at("metadata").get<kube::ObjectMeta>();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("Secret metadata: ") + e.what());
  }
  out.tls_crt = kube::SecretDataValue(secret, "tls.crt");
  out.tls_key = kube::SecretDataValue(secret, "tls.key");
  out.ca_crt = kube::SecretDataValue(secret, "ca.crt");
  return out;
}

ServingTls::ServingTls(std::shared_ptr<kube::Client> client, pki::TlsIdentityStore& identity, ServingTlsOptions options)
    : client_(std::move(client)),
      identity_(identity),
      options_(std::move(options)),
      secrets_(client_, SecretOptions(options_)) {
  options_.spec.ns = options_.ns;
  options_.spec.secret_name = options_.secret_name;
  secrets_.AddEventHandler({[this](const auto& s) { Loaded(*s); }, [this](const auto&, const auto& s) { Loaded(*s); },
                            [this](const auto&) {
                              kube::Logger("https")->warn(
                                  "serving Secret {}/{} was deleted; serving the last "
                                  "certificate loaded until it is back",
                                  options_.ns, options_.secret_name);
                            }});
}

ServingTls::~ServingTls() {
  StopLeading();
  Stop();
}

void ServingTls::Start() { secrets_.Start(); }
void ServingTls::Stop() { secrets_.Stop(); }

void ServingTls::Loaded(const ServingSecret& secret) {
  auto log = kube::Logger("https");
  const std::string before = identity_.serial_hex();
  if (Status s = identity_.Load(secret.tls_crt, secret.tls_key); !s.ok()) {
    log->warn("serving Secret {}/{} not loaded, keeping serial={}: {}", options_.ns, options_.secret_name,
              before.empty() ? "none" : before, s.ToString());
  } else {
    if (identity_.serial_hex() != before) {
      log->info("serving certificate loaded secret={}/{} serial={} not_after={}", options_.ns, options_.secret_name,
                identity_.serial_hex(), api::FormatTime(api::ToTime(identity_.not_after())));
    }
    if (options_.on_loaded) options_.on_loaded();
  }
  if (leading_) QueuePublish(secret.ca_crt);
}

void ServingTls::QueuePublish(const std::string& ca_crt) {
  if (options_.ca_config_map.empty() || ca_crt.empty()) return;
  {
    std::lock_guard lock(mu_);
    ca_to_publish_ = ca_crt;
  }
  wake_.notify_all();
}

bool ServingTls::Publish(const std::string& ca_crt) {
  auto applied = client_->Apply(kube::kConfigMaps, options_.ns, options_.ca_config_map,
                                ServingCaConfigMap(options_.ns, options_.ca_config_map, ca_crt),
                                {.field_manager = options_.field_manager, .force = true});
  if (!applied.ok()) {
    kube::Logger("https")->warn("publishing the serving CA in ConfigMap {}/{}: {}", options_.ns, options_.ca_config_map,
                                applied.status().ToString());
  }
  return applied.ok();
}

bool ServingTls::ApplyObjects() {
  auto log = kube::Logger("https");
  bool all = true;
  for (const ServingObject& o : ServingTlsObjects(options_.spec)) {
    auto applied =
        client_->Apply(o.resource, o.ns, o.name, o.manifest, {.field_manager = options_.field_manager, .force = true});
    if (!applied.ok()) {
      log->error("applying {} {} for the serving certificate: {}", o.resource.resource, o.name,
                 applied.status().ToString());
      all = false;
    }
  }
  return all;
}

void ServingTls::Lead(std::stop_token stop) {
  constexpr std::chrono::seconds kFirstWait{1};
  constexpr std::chrono::seconds kMaxWait = std::chrono::minutes(5);
  std::chrono::seconds wait = kFirstWait;
  bool objects_applied = !options_.manage;
  while (!stop.stop_requested()) {
    if (!objects_applied) objects_applied = ApplyObjects();
    std::string ca;
    {
      std::lock_guard lock(mu_);
      ca = ca_to_publish_;
    }
    bool published = ca.empty() || Publish(ca);
    if (published && !ca.empty()) {
      std::lock_guard lock(mu_);
      // A newer ca.crt queued meanwhile stays queued.
      if (ca_to_publish_ == ca) ca_to_publish_.clear();
    }
    std::unique_lock lock(mu_);
    if (objects_applied && published) {
      wait = kFirstWait;
      wake_.wait(lock, stop, [this] { return !ca_to_publish_.empty(); });
      continue;
    }
    kube::Logger("https")->warn("serving certificate: {} failed; trying again in {}s",
                                objects_applied ? "publishing the CA" : "applying its objects", wait.count());
    wake_.wait_for(lock, stop, wait, [] { return false; });
    wait = std::min(wait * 2, kMaxWait);
  }
}

void ServingTls::StartLeading() {
  leading_ = true;
  for (const auto& s : secrets_.store().List()) QueuePublish(s->ca_crt);
  leader_ = std::jthread([this](std::stop_token stop) { Lead(stop); });
}

void ServingTls::StopLeading() {
  leading_ = false;
  leader_ = std::jthread();  // asks it to stop and joins
}

}  // namespace certplane::reconcile
