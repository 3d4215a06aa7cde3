// The plugin's local I/O: writing exported files with the right modes, and reading the
// keystore password from a file or the terminal.
//
//   CERTPLANE_RETURN_IF_ERROR(WriteExportFiles(dir, bundle.files, /*overwrite=*/false));
//   Result<SensitiveString> pw = inv.password_file.empty() ? PromptNewPassword()
//                                                               : ReadPasswordFile(inv.password_file);
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "base/sensitive_string.h"
#include "export_bundle.h"

namespace certplane::plugin {

// Creates `dir` (mode 0700) when it does not exist, then writes every file into it:
// secret files with mode 0600, the others 0644, whatever the umask. Unless `overwrite`,
// refuses (kAlreadyExists naming the file, before writing anything) when one exists.
// Symbolic links are never followed for the files. kInvalidArgument / kInternal naming
// the path on other failures.
Status WriteExportFiles(const std::string& dir, const std::vector<ExportFile>& files, bool overwrite);

// The first line of the file, without its line ending. kNotFound / kInvalidArgument
// naming the file when it cannot be read or the line is empty.
Result<SensitiveString> ReadPasswordFile(const std::string& path);

// Asks for a new password twice on /dev/tty with echo off, restoring the terminal also
// on SIGINT/SIGTERM. kFailedPrecondition when there is no terminal (then use
// --password-file); kInvalidArgument when it is empty or the two do not match.
Result<SensitiveString> PromptNewPassword(const std::string& what);

}  // namespace certplane::plugin
