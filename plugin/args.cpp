#include "args.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>

#include "base/text.h"

namespace certplane::plugin {
namespace {

// Which commands a flag belongs to.
enum : unsigned {
  kOnInventory = 1u << 0,
  kOnStatus = 1u << 1,
  kOnRenew = 1u << 2,
  kOnRevoke = 1u << 3,
  kOnExport = 1u << 4,
  kOnVersion = 1u << 5,
  kOnNone = 1u << 6,
  kOnApi = kOnInventory | kOnStatus | kOnRenew | kOnRevoke | kOnExport,
  kOnAll = kOnApi | kOnVersion | kOnNone,
};

struct FlagSpec {
  const char* name;
  char shorthand;     // 0 when none
  const char* value;  // placeholder for help; nullptr for booleans
  unsigned commands;
  const char* help;
};

// The one list of flags: parsing and every help text read it.
const FlagSpec kFlags[] = {
    {"kubeconfig", 0, "PATH", kOnApi, "kubeconfig file (default: $KUBECONFIG, then in-cluster, then ~/.kube/config)"},
    {"context", 0, "NAME", kOnApi, "kubeconfig context to use (default: its current-context)"},
    {"namespace", 'n', "NS", kOnApi, "namespace (default: the kubeconfig context's)"},
    {"all-namespaces", 'A', nullptr, kOnInventory, "list certificates of every namespace (wins over -n)"},
    {"output", 'o', "FORMAT", kOnInventory, "wide, json or yaml (default: a table)"},
    {"profile", 0, "NAME", kOnInventory, "only certificates issued through this CertificateProfile"},
    {"expiring-within", 0, "SPAN", kOnInventory,
     "only certificates whose notAfter is before now + SPAN (30d, 12h, 2w, 1d12h; expired ones included)"},
    {"revoked", 0, nullptr, kOnInventory, "only revoked certificates (state revoked or revoking)"},
    {"reason", 0, "REASON", kOnRevoke, "RFC 5280 revocation reason (required), e.g. keyCompromise"},
    {"format", 0, "FORMAT", kOnExport, "pem (default), der or pkcs12"},
    {"out", 0, "DIR", kOnExport, "folder to write into (required; created with mode 0700 if missing)"},
    {"password-file", 0, "PATH", kOnExport,
     "pkcs12 only: read the keystore password from the first line of PATH (default: prompt on the terminal)"},
    {"pkcs12-profile", 0, "PROFILE", kOnExport,
     "pkcs12 only: modern (AES-256, PBKDF2; default) or legacy (3DES, for Java before 8u301)"},
    {"overwrite", 0, nullptr, kOnExport, "replace files that already exist in --out (default: refuse)"},
    {"help", 'h', nullptr, kOnAll, "print help"},
};

unsigned CommandBit(Command c) {
  switch (c) {
    case Command::kNone: return kOnNone;
    case Command::kVersion: return kOnVersion;
    case Command::kInventory: return kOnInventory;
    case Command::kStatus: return kOnStatus;
    case Command::kRenew: return kOnRenew;
    case Command::kRevoke: return kOnRevoke;
    case Command::kExport: return kOnExport;
  }
  return 0;
}

const FlagSpec* FindLong(std::string_view name) {
  for (const auto& f : kFlags) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

const FlagSpec* FindShort(char c) {
  for (const auto& f : kFlags) {
    if (f.shorthand != 0 && f.shorthand == c) return &f;
  }
  return nullptr;
}

// "-n/--namespace" or "--profile", as messages name a flag.
std::string Spelling(const FlagSpec& f) {
  std::string s;
  if (f.shorthand != 0) s = std::string("-") + f.shorthand + "/";
  return s + "--" + f.name;
}

Status Bad(const FlagSpec& f, std::string_view value, std::string_view why) {
  return InvalidArgument("flag " + Spelling(f) + "=\"" + std::string(value) + "\": " + std::string(why));
}

std::optional<Command> CommandFromName(std::string_view name) {
  for (Command c : {Command::kVersion, Command::kInventory, Command::kStatus, Command::kRenew, Command::kRevoke,
                    Command::kExport}) {
    if (name == CommandName(c)) return c;
  }
  return std::nullopt;
}

struct SeenFlag {
  const FlagSpec* spec;
  std::string value;  // "true"/"false" for booleans
};

Status Apply(const SeenFlag& seen, Invocation& inv) {
  const FlagSpec& f = *seen.spec;
  const std::string& v = seen.value;
  const std::string name = f.name;
  if (f.value == nullptr) {
    bool on = false;
    if (v == "true") {
      on = true;
    } else if (v != "false") {
      return Bad(f, v, "want true or false");
    }
    if (name == "all-namespaces") inv.all_namespaces = on;
    if (name == "revoked") inv.revoked_only = on;
    if (name == "overwrite") inv.overwrite = on;
    if (name == "help") inv.help = inv.help || on;
    return Status::Ok();
  }
  if (v.empty()) return Bad(f, v, "needs a value");
  if (name == "kubeconfig") {
    inv.kubeconfig = v;
  } else if (name == "context") {
    inv.context = v;
  } else if (name == "namespace") {
    inv.ns = v;
  } else if (name == "output") {
    if (v == "wide") {
      inv.output = OutputFormat::kWide;
    } else if (v == "json") {
      inv.output = OutputFormat::kJson;
    } else if (v == "yaml") {
      inv.output = OutputFormat::kYaml;
    } else {
      return Bad(f, v, "want wide, json or yaml");
    }
  } else if (name == "profile") {
    inv.profile = v;
  } else if (name == "expiring-within") {
    Result<std::chrono::seconds> span = ParseSpan(v);
    if (!span.ok()) return Bad(f, v, span.status().message());
    inv.expiring_within = *span;
  } else if (name == "reason") {
    Result<api::RevocationReason> reason = ParseRevocationReason(v);
    if (!reason.ok()) return Bad(f, v, reason.status().message());
    inv.reason = *reason;
  } else if (name == "format") {
    if (v == "pem") {
      inv.format = ExportFormat::kPem;
    } else if (v == "der") {
      inv.format = ExportFormat::kDer;
    } else if (v == "pkcs12" || v == "p12") {
      inv.format = ExportFormat::kPkcs12;
    } else {
      return Bad(f, v, "want pem, der or pkcs12");
    }
  } else if (name == "out") {
    inv.out_dir = v;
  } else if (name == "password-file") {
    inv.password_file = v;
  } else if (name == "pkcs12-profile") {
    const std::string l = AsciiLower(v);
    if (l == "modern") {
      inv.pkcs12_profile = pki::Pkcs12Profile::kModern;
    } else if (l == "legacy") {
      inv.pkcs12_profile = pki::Pkcs12Profile::kLegacy;
    } else {
      return Bad(f, v, "want modern or legacy");
    }
  }
  return Status::Ok();
}

std::string FlagLines(unsigned commands, bool shared) {
  std::string out;
  for (const auto& f : kFlags) {
    const bool is_shared = (f.commands & kOnApi) == kOnApi;
    if ((f.commands & commands) == 0 || is_shared != shared) continue;
    std::string left = "  ";
    left += f.shorthand != 0 ? std::string("-") + f.shorthand + ", " : "    ";
    left += std::string("--") + f.name;
    if (f.value != nullptr) left += std::string(" ") + f.value;
    if (left.size() < 30) left.resize(30, ' ');
    out += left + "  " + f.help + "\n";
  }
  return out;
}

}  // namespace

std::string_view CommandName(Command command) {
  switch (command) {
    case Command::kNone: return "";
    case Command::kVersion: return "version";
    case Command::kInventory: return "inventory";
    case Command::kStatus: return "status";
    case Command::kRenew: return "renew";
    case Command::kRevoke: return "revoke";
    case Command::kExport: return "export";
  }
  return "";
}

Result<std::chrono::seconds> ParseSpan(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return InvalidArgument("\"" + std::string(text) + "\" is not a span: " + std::string(why) +
                           " (write e.g. 30d, 12h, 2w or 1d12h)");
  };
  if (text.empty()) return bad("it is empty");
  constexpr std::int64_t kMax = std::int64_t{100} * 366 * 24 * 3600;  // a century is plenty
  std::int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) ++i;
    if (i == start) return bad("want a number before each unit");
    if (i == text.size()) return bad("the number " + std::string(text.substr(start)) + " has no unit");
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data() + start, text.data() + i, n);
    if (ec != std::errc() || n > kMax) return bad("too long");
    std::int64_t unit = 0;
    switch (text[i]) {
      case 'w': unit = std::int64_t{7} * 24 * 3600; break;
      case 'd': unit = std::int64_t{24} * 3600; break;
      case 'h': unit = 3600; break;
      case 'm': unit = 60; break;
      case 's': unit = 1; break;
      default: return bad("unknown unit '" + std::string(1, text[i]) + "' (want w, d, h, m or s)");
    }
    ++i;
    if (n > (kMax - total) / unit) return bad("too long");
    total += n * unit;
  }
  return std::chrono::seconds(total);
}

Result<api::RevocationReason> ParseRevocationReason(std::string_view text) {
  const std::string wanted = AsciiLower(text);
  for (std::string_view name : api::EnumTable<api::RevocationReason>::kNames) {
    if (AsciiLower(name) == wanted) return *api::FromString<api::RevocationReason>(name);
  }
  return InvalidArgument("\"" + std::string(text) + "\" is not an RFC 5280 revocation reason; want one of " +
                         api::AllNames<api::RevocationReason>());
}

Result<Invocation> ParseArgs(const std::vector<std::string>& args) {
  Invocation inv;
  std::vector<std::string> positional;
  std::vector<SeenFlag> seen;
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (flags_done || a.size() < 2 || a[0] != '-') {
      positional.push_back(a);
      continue;
    }
    if (a == "--") {
      flags_done = true;
      continue;
    }
    const FlagSpec* spec = nullptr;
    std::optional<std::string> value;
    if (a[1] == '-') {
      std::string body = a.substr(2);
      if (size_t eq = body.find('='); eq != std::string::npos) {
        value = body.substr(eq + 1);
        body.resize(eq);
      }
      spec = FindLong(body);
      if (spec == nullptr) return InvalidArgument("unknown flag: --" + body);
    } else {
      spec = FindShort(a[1]);
      if (spec == nullptr) return InvalidArgument("unknown shorthand flag: '" + std::string(1, a[1]) + "' in " + a);
      std::string rest = a.substr(2);
      if (!rest.empty() && rest[0] == '=') {
        value = rest.substr(1);
      } else if (!rest.empty()) {
        if (spec->value == nullptr) {
          return InvalidArgument("flag " + Spelling(*spec) + " takes no value; write the flags of " + a +
                                 " separately");
        }
        value = rest;
      }
    }
    if (spec->value != nullptr && !value) {
      if (i + 1 >= args.size()) return InvalidArgument("flag " + Spelling(*spec) + " needs a value");
      value = args[++i];
    }
    seen.push_back({spec, value.value_or("true")});
  }

  size_t next = 0;
  if (next < positional.size()) {
    const std::string& word = positional[next++];
    if (word == "help") {
      inv.help = true;
      if (next < positional.size()) {
        const std::string& topic = positional[next++];
        std::optional<Command> c = CommandFromName(topic);
        if (!c) return InvalidArgument("unknown command \"" + topic + "\" for \"kubectl certplane help\"");
        inv.command = *c;
      }
    } else {
      std::optional<Command> c = CommandFromName(word);
      if (!c) return InvalidArgument("unknown command \"" + word + "\" for \"kubectl certplane\"");
      inv.command = *c;
    }
  }

  const unsigned bit = CommandBit(inv.command);
  for (const SeenFlag& s : seen) {
    if ((s.spec->commands & bit) == 0) {
      std::string where =
          inv.command == Command::kNone ? "without a command" : "for \"" + std::string(CommandName(inv.command)) + "\"";
      return InvalidArgument("flag " + Spelling(*s.spec) + " is not valid " + where);
    }
    CERTPLANE_RETURN_IF_ERROR(Apply(s, inv));
  }

  const bool takes_name = inv.command == Command::kStatus || inv.command == Command::kRenew ||
                          inv.command == Command::kRevoke || inv.command == Command::kExport;
  if (takes_name && next < positional.size()) inv.name = positional[next++];
  if (next < positional.size()) {
    return InvalidArgument("unexpected argument \"" + positional[next] + "\"" + (takes_name ? " (one NAME only)" : ""));
  }
  if (inv.help) return inv;

  const std::string cmd(CommandName(inv.command));
  if (takes_name && inv.name.empty()) return InvalidArgument("\"" + cmd + "\" needs the NAME of a Certificate");
  if (inv.command == Command::kRevoke && !inv.reason) {
    return InvalidArgument("\"revoke\" needs --reason; want one of " + api::AllNames<api::RevocationReason>());
  }
  if (inv.command == Command::kExport) {
    if (inv.out_dir.empty()) return InvalidArgument("\"export\" needs --out DIR");
    const bool pkcs12 = inv.format == ExportFormat::kPkcs12;
    for (const SeenFlag& s : seen) {
      const std::string n = s.spec->name;
      if (!pkcs12 && (n == "password-file" || n == "pkcs12-profile")) {
        return InvalidArgument("flag --" + n + " is only for --format pkcs12");
      }
    }
  }
  return inv;
}

Command FirstCommandWord(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (std::optional<Command> c = CommandFromName(a)) return *c;
  }
  return Command::kNone;
}

std::string Usage() {
  return "kubectl certplane: certplane's certificates from the command line.\n"
         "\n"
         "Usage:\n"
         "  kubectl certplane COMMAND [NAME] [flags]\n"
         "\n"
         "Commands:\n"
         "  inventory   list certificates: profile, CA, serial, notAfter and state\n"
         "  status      one certificate: conditions, serial history, renewal time, recent events\n"
         "  renew       renew a certificate now (sets the certplane.io/renew-requested-at annotation)\n"
         "  revoke      revoke a certificate's current serial with an RFC 5280 reason (final)\n"
         "  export      write a certificate, its chain and key to files (pem, der) or a PKCS#12 keystore\n"
         "  version     print the plugin's version\n"
         "\n"
         "Flags of every command:\n" +
         FlagLines(kOnApi, true) +
         "\n"
         "Run 'kubectl certplane COMMAND --help' for a command's flags and examples.\n"
         "Exit status: 0 done, 1 failed (not found, forbidden, API or file error), 2 bad command line.\n";
}

std::string CommandHelp(Command command) {
  std::string head, examples;
  switch (command) {
    case Command::kNone:
    case Command::kVersion: return Usage();
    case Command::kInventory:
      head =
          "List certificates with their profile, CA, serial, notAfter and state.\n"
          "\n"
          "States (the first that applies):\n"
          "  revoked    the current serial is on the CRL (Revoked=True, or status.revokedAt is set)\n"
          "  revoking   spec.revocation is set; the controller has not yet put the serial on the CRL\n"
          "  pending    no certificate has been issued yet (see 'status' for why)\n"
          "  expired    notAfter has passed\n"
          "  renewing   the controller is issuing a new certificate and has not succeeded yet (Issuing=True)\n"
          "  expiring   the renewal time (status.renewalTime) has passed but no renewal is under way; with\n"
          "             auto-renew off (no renewal time), less than a third of the lifetime is left\n"
          "  active     none of the above: valid, and renewal is not yet due\n"
          "\n"
          "Usage:\n"
          "  kubectl certplane inventory [-n NS | -A] [--profile NAME] [--expiring-within SPAN] [--revoked]\n"
          "                              [-o wide|json|yaml]\n";
      examples =
          "  kubectl certplane inventory -A\n"
          "  kubectl certplane inventory -A --expiring-within 30d\n"
          "  kubectl certplane inventory -n shop --profile web -o wide\n"
          "  kubectl certplane inventory -A --revoked -o json | jq -r '.items[].serialNumber'\n";
      break;
    case Command::kStatus:
      head =
          "Show one certificate: its state, current serial and validity, renewal time, conditions,\n"
          "serial history (status.history) and its most recent events.\n"
          "\n"
          "Usage:\n"
          "  kubectl certplane status NAME [-n NS]\n";
      examples = "  kubectl certplane status frontend -n shop\n";
      break;
    case Command::kRenew:
      head =
          "Renew a certificate now: sets the annotation certplane.io/renew-requested-at to the current time,\n"
          "and the controller issues a new serial (with a new key when privateKey.rotationPolicy is Always).\n"
          "A revoked certificate is never renewed; create a new Certificate instead.\n"
          "\n"
          "Usage:\n"
          "  kubectl certplane renew NAME [-n NS]\n";
      examples = "  kubectl certplane renew frontend -n shop\n";
      break;
    case Command::kRevoke:
      head =
          "Revoke a certificate's current serial: sets spec.revocation.reason. The controller puts the\n"
          "serial on its CA's CRL and sets Revoked=True. Final: the reason cannot be changed or removed,\n"
          "except certificateHold, which may be lifted (kubectl patch, removing spec.revocation) or made\n"
          "final with another reason.\n"
          "\n"
          "Reasons: " +
          api::AllNames<api::RevocationReason>() +
          "\n"
          "\n"
          "Usage:\n"
          "  kubectl certplane revoke NAME --reason REASON [-n NS]\n";
      examples = "  kubectl certplane revoke frontend -n shop --reason keyCompromise\n";
      break;
    case Command::kExport:
      head =
          "Write a certificate from its Secret to files in --out (keys and keystores with mode 0600):\n"
          "  pem     serial.txt, tls.crt (the leaf), chain.pem (intermediates, then the root), tls.key\n"
          "  der     serial.txt, certificate.der, chain-1.der ... chain-N.der (the issuer first, the root\n"
          "          last), key.der (PKCS#8)\n"
          "  pkcs12  keystore.p12: the key, the leaf and the chain under the Certificate's name as alias,\n"
          "          with the password from --password-file or typed at a prompt (not echoed)\n"
          "The key is never printed. Needs permission to get the Certificate's Secret.\n"
          "\n"
          "Usage:\n"
          "  kubectl certplane export NAME --out DIR [--format pem|der|pkcs12] [--password-file PATH] [-n NS]\n";
      examples =
          "  kubectl certplane export frontend -n shop --out ./frontend\n"
          "  kubectl certplane export frontend -n shop --format der --out ./frontend-der\n"
          "  kubectl certplane export frontend -n shop --format pkcs12 --out ./p12   # prompts for a password\n"
          "  kubectl certplane export frontend -n shop --format pkcs12 --password-file pw.txt --out ./p12\n";
      break;
  }
  return head + "\nExamples:\n" + examples + "\nFlags:\n" + FlagLines(CommandBit(command), false) +
         FlagLines(CommandBit(command), true);
}

std::string HelpHint(Command command) {
  if (command == Command::kNone || command == Command::kVersion) {
    return "See 'kubectl certplane --help' for usage.";
  }
  return "See 'kubectl certplane " + std::string(CommandName(command)) + " --help' for usage.";
}

}  // namespace certplane::plugin
