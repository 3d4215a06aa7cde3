// Reading a fuzz area's checked-in corpus (tests/fuzz/<area>/corpus/: seeds and
// malformed) in its corpus test. CMake (../fuzz_area.cmake) sets
// CERTPLANE_FUZZ_CORPUS_DIR to the area's corpus folder.
//
//   INSTANTIATE_TEST_SUITE_P(Corpus, MalformedInput, ValuesIn(corpus::Files("malformed")),
//                            [](const auto& info) { return corpus::TestName(info.param); });
//   std::string input = corpus::Read<std::string>(GetParam());
//   const Parser* parser = corpus::FindParser(AllParsers(), GetParam().parser);
#pragma once

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#ifndef CERTPLANE_FUZZ_CORPUS_DIR
#error "CERTPLANE_FUZZ_CORPUS_DIR must name the corpus folder (certplane_add_fuzz_area sets it)"
#endif

namespace certplane::corpus {

// A folder of the corpus: "seeds" or "malformed".
inline std::filesystem::path Dir(const char* which) { return std::filesystem::path(CERTPLANE_FUZZ_CORPUS_DIR) / which; }

// The regular files of a corpus folder, sorted by path (so test order is stable).
// Throws std::filesystem::filesystem_error when the folder is missing.
inline std::vector<std::filesystem::path> Files(const char* which) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(Dir(which))) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The bytes of a file as any container built from a char iterator range (std::string,
// a byte vector); empty when it cannot be read.
template <typename Container>
Container Read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Container((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A gtest parameter name from a file name (or any text): every character that is not a
// letter or a digit becomes '_'.
inline std::string TestName(const std::filesystem::path& path) {
  std::string name = path.filename().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// A well-formed input of corpus/seeds and the name of the parser that must accept it.
struct SeedCase {
  std::string file;
  std::string parser;
};

// The gtest parameter name of a SeedCase: "cert_pem_ParseCertificatePem".
inline std::string SeedCaseName(const SeedCase& seed) { return TestName(seed.file) + "_" + TestName(seed.parser); }

// The parser called `name` among an area's parsers (its AllParsers()), or nullptr when
// there is none.
template <typename Parser>
const Parser* FindParser(std::span<const Parser> parsers, std::string_view name) {
  for (const Parser& parser : parsers) {
    if (parser.name == name) return &parser;
  }
  return nullptr;
}

}  // namespace certplane::corpus
