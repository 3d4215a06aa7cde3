// The command line of kubectl-certplane, parsed without I/O so every rule is unit-tested.
//
//   Result<Invocation> inv = ParseArgs({"inventory", "-A", "--expiring-within", "30d", "-o", "json"});
//   if (!inv.ok()) { print "error: " + inv.status().message() and HelpHint(...); exit 2 }
//   if (inv->help) { print CommandHelp(inv->command); exit 0 }
//
// Flags follow kubectl's (pflag) spelling: `--name=value` or `--name value`, short
// flags as `-n shop`, `-nshop` or `-n=shop`, booleans as `--revoked` or
// `--revoked=true|false`, and `--` ends the flags. Flags may come before or after the
// command. A flag the command does not take, a missing NAME, an extra argument or a
// malformed value is kInvalidArgument with a message naming the flag or argument.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/enums.h"
#include "base/result.h"
#include "pki/pkcs12.h"

namespace certplane::plugin {

enum class Command { kNone, kVersion, kInventory, kStatus, kRenew, kRevoke, kExport };

// "inventory", "status", ...; "" for kNone.
std::string_view CommandName(Command command);

// inventory -o: the default table, the table with more columns, or machine-readable.
enum class OutputFormat { kTable, kWide, kJson, kYaml };
// export --format.
enum class ExportFormat { kPem, kDer, kPkcs12 };

struct Invocation {
  Command command = Command::kNone;
  bool help = false;  // --help / -h, or `help [COMMAND]` (which sets command to COMMAND)

  // Shared by every command that talks to the API server.
  std::string kubeconfig;              // --kubeconfig; empty: $KUBECONFIG, in-cluster, ~/.kube/config
  std::optional<std::string> context;  // --context
  std::optional<std::string> ns;       // -n/--namespace; absent: the kubeconfig context's namespace

  std::string name;  // NAME of status, renew, revoke and export

  // inventory
  bool all_namespaces = false;                          // -A/--all-namespaces
  OutputFormat output = OutputFormat::kTable;           // -o
  std::string profile;                                  // --profile
  std::optional<std::chrono::seconds> expiring_within;  // --expiring-within
  bool revoked_only = false;                            // --revoked

  // revoke
  std::optional<api::RevocationReason> reason;  // --reason (required)

  // export
  ExportFormat format = ExportFormat::kPem;                         // --format
  std::string out_dir;                                              // --out (required)
  std::string password_file;                                        // --password-file (pkcs12)
  pki::Pkcs12Profile pkcs12_profile = pki::Pkcs12Profile::kModern;  // --pkcs12-profile
  bool overwrite = false;                                           // --overwrite
};

// Parses argv without the program name.
Result<Invocation> ParseArgs(const std::vector<std::string>& args);

// A span such as "30d", "12h", "1d12h", "2w" or "90m": one or more whole numbers, each
// followed by w (weeks), d (days), h, m or s. kInvalidArgument naming the text otherwise.
Result<std::chrono::seconds> ParseSpan(std::string_view text);

// A revocation reason by its RFC 5280 name, case-insensitive ("keyCompromise",
// "keycompromise"). kInvalidArgument listing the allowed names otherwise.
Result<api::RevocationReason> ParseRevocationReason(std::string_view text);

// The first argument that names a command, for the help hint after a parse error
// (kNone when there is none).
Command FirstCommandWord(const std::vector<std::string>& args);

// The overview printed by `kubectl certplane --help`.
std::string Usage();
// The help of one command (Usage() for kNone and kVersion).
std::string CommandHelp(Command command);
// "See 'kubectl certplane inventory --help' for usage." (or the overview's).
std::string HelpHint(Command command);

}  // namespace certplane::plugin
