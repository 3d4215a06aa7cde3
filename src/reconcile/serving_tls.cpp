#include "reconcile/serving_tls.h"

#include <openssl/crypto.h>

#include "api/time.h"
#include "kube/logging.h"
#include "reconcile/secret_data.h"

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
  out.tls_crt = SecretDataValue(secret, "tls.crt");
  out.tls_key = SecretDataValue(secret, "tls.key");
  out.ca_crt = SecretDataValue(secret, "ca.crt");
  return out;
}

ServingTls::ServingTls(std::shared_ptr<kube::Client> client, http::ServingIdentity& identity, ServingTlsOptions options)
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
  if (leading_) Publish(secret);
}

void ServingTls::Publish(const ServingSecret& secret) {
  if (options_.ca_config_map.empty() || secret.ca_crt.empty()) return;
  auto applied = client_->Apply(kube::kConfigMaps, options_.ns, options_.ca_config_map,
                                ServingCaConfigMap(options_.ns, options_.ca_config_map, secret.ca_crt),
                                {.field_manager = options_.field_manager, .force = true});
  if (!applied.ok()) {
    kube::Logger("https")->warn("publishing the serving CA in ConfigMap {}/{}: {}", options_.ns, options_.ca_config_map,
                                applied.status().ToString());
  }
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

void ServingTls::ApplyUntilDone(std::stop_token stop) {
  std::chrono::seconds wait{1};
  std::mutex mu;
  std::condition_variable_any cv;
  while (!stop.stop_requested() && !ApplyObjects()) {
    kube::Logger("https")->warn("serving certificate objects: trying again in {}s", wait.count());
    std::unique_lock lock(mu);
    cv.wait_for(lock, stop, wait, [] { return false; });
    wait = std::min<std::chrono::seconds>(wait * 2, std::chrono::minutes(5));
  }
}

void ServingTls::StartLeading() {
  leading_ = true;
  if (options_.manage) applier_ = std::jthread([this](std::stop_token stop) { ApplyUntilDone(stop); });
  for (const auto& s : secrets_.store().List()) Publish(*s);
}

void ServingTls::StopLeading() {
  leading_ = false;
  applier_ = std::jthread();  // asks it to stop and joins
}

}  // namespace certplane::reconcile
