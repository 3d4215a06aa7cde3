// Dynamic UPDATE with TSIG in the test DNS responder: the pure parts of dns_update.h
// against known answers from miekg/dns (the client library of cert-manager's rfc2136
// provider) and malformed input, then the responder against BIND's nsupdate and dig.
#include "dns_update.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "dns_responder.h"
#include "dns_wire.h"
#include "process.h"
#include "test_files.h"

namespace certplane::testing::dns {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kKeyName = "certplane-test-key.";
constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";  // raw bytes
constexpr std::uint64_t kSignedAt = 1700000000;

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out += kDigits[static_cast<unsigned char>(c) >> 4];
    out += kDigits[static_cast<unsigned char>(c) & 0xf];
  }
  return out;
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// An UPDATE message, section by section (RFC 2136 section 2), uncompressed.
class UpdateMessage {
 public:
  UpdateMessage& Id(std::uint16_t id) {
    id_ = id;
    return *this;
  }
  UpdateMessage& Opcode(std::uint16_t opcode) {
    opcode_ = opcode;
    return *this;
  }
  UpdateMessage& Zone(std::string_view name, std::uint16_t type = kTypeSoa, std::uint16_t klass = kClassIn) {
    zone_ += EncodeName(name);
    Put16(zone_, type);
    Put16(zone_, klass);
    ++zones_;
    return *this;
  }
  UpdateMessage& Prerequisite(std::string_view name, std::uint16_t type, std::uint16_t klass) {
    prerequisites_ += Record(name, type, klass, 0, "");
    ++prerequisite_count_;
    return *this;
  }
  UpdateMessage& Update(std::string_view name, std::uint16_t type, std::uint16_t klass, std::uint32_t ttl,
                        std::string_view rdata) {
    updates_ += Record(name, type, klass, ttl, rdata);
    ++update_count_;
    return *this;
  }
  UpdateMessage& AddTxt(std::string_view name, std::string_view value) {
    return Update(name, kTypeTxt, kClassIn, 60, TxtRdata(value));
  }
  // Appends raw bytes as the update section's next record.
  UpdateMessage& RawUpdate(std::string_view bytes) {
    updates_ += bytes;
    ++update_count_;
    return *this;
  }

  std::string Build() const {
    std::string out;
    Put16(out, id_);
    Put16(out, static_cast<std::uint16_t>(opcode_ << 11));
    Put16(out, zones_);
    Put16(out, prerequisite_count_);
    Put16(out, update_count_);
    Put16(out, 0);
    return out + zone_ + prerequisites_ + updates_;
  }

  static std::string Record(std::string_view name, std::uint16_t type, std::uint16_t klass, std::uint32_t ttl,
                            std::string_view rdata) {
    std::string out = EncodeName(name);
    Put16(out, type);
    Put16(out, klass);
    Put32(out, ttl);
    Put16(out, static_cast<std::uint16_t>(rdata.size()));
    out += rdata;
    return out;
  }

 private:
  std::uint16_t id_ = 0x1234;
  std::uint16_t opcode_ = kOpcodeUpdate;
  std::string zone_, prerequisites_, updates_;
  std::uint16_t zones_ = 0, prerequisite_count_ = 0, update_count_ = 0;
};

// The update miekg/dns v1.1.72 built for the known answers below:
//   m.SetUpdate("test."); m.Id = 0x1234
//   m.Insert(`_acme-challenge.web.test. 60 IN TXT "abc"`)
//   m.SetTsig("certplane-test-key.", dns.HmacSHA256, 300, 1700000000)
std::string AcmeUpdate() { return UpdateMessage().Zone("test").AddTxt("_acme-challenge.web.test", "abc").Build(); }

TsigKey TestKey() { return TsigKey(std::string(kKeyName), std::string(kSecret)); }

TsigRecord RequestTsig() {
  TsigRecord tsig;
  tsig.key_name = "certplane-test-key";
  tsig.algorithm = "hmac-sha256";
  tsig.time_signed = kSignedAt;
  return tsig;
}

std::string SignedAcmeUpdate() {
  Result<std::string> signed_message = SignMessage(AcmeUpdate(), kSecret, "", RequestTsig());
  EXPECT_TRUE(signed_message.ok()) << signed_message.error().message;
  return signed_message.ok() ? *signed_message : "";
}

// dns.TsigGenerate(m, base64(kSecret), "", false) of the message above.
constexpr std::string_view kMiekgRequest =
    "123428000001000000010001047465737400000600010f5f61636d652d6368616c6c656e67650377656204746573740000100001000000"
    "3c0004036162631263657274706c616e652d746573742d6b65790000fa00ff00000000003d0b686d61632d7368613235360000006553f1"
    "00012c002074d870b1600bea3e83ca2be8490ef065a593b72fae804800ed42e7db86c069be123400000000";
constexpr std::string_view kMiekgRequestMac = "74d870b1600bea3e83ca2be8490ef065a593b72fae804800ed42e7db86c069be";
// r.SetReply(m); r.SetTsig(..., 1700000001); dns.TsigGenerate(r, secret, requestMAC, false).
constexpr std::string_view kMiekgResponse =
    "1234a8000001000000000001047465737400000600011263657274706c616e652d746573742d6b65790000fa00ff00000000003d0b686d"
    "61632d7368613235360000006553f101012c00200a01146b612a583601f130f4c3df3efcdb28d101478191b393db0a7cabcbd0461234"
    "00000000";

TEST(DnsUpdateTsigTest, HmacSha256MatchesRfc4231TestCase2) {
  Result<std::string> mac = HmacSha256("Jefe", "what do ya want for nothing?");
  ASSERT_TRUE(mac.ok()) << mac.error().message;
  EXPECT_EQ(Hex(*mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(DnsUpdateTsigTest, SignsARequestExactlyAsMiekgDnsDoes) {
  const std::string signed_message = SignedAcmeUpdate();
  EXPECT_EQ(Hex(signed_message), kMiekgRequest);
}

TEST(DnsUpdateTsigTest, SignsAResponseOverTheRequestMacAsMiekgDnsDoes) {
  Result<std::optional<SignedMessage>> request = SplitTsig(SignedAcmeUpdate());
  ASSERT_TRUE(request.ok()) << request.error().message;
  ASSERT_TRUE(request->has_value());
  EXPECT_EQ(Hex((*request)->tsig.mac), kMiekgRequestMac);
  const TsigKey key = TestKey();
  Result<std::string> response = SignResponse(UpdateResponse((*request)->message, Rcode::kNoError), **request, key,
                                              TsigError::kNone, kSignedAt + 1);
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(Hex(*response), kMiekgResponse);
}

TEST(DnsUpdateTsigTest, SplitsAndVerifiesASignedRequest) {
  Result<std::optional<SignedMessage>> request = SplitTsig(SignedAcmeUpdate());
  ASSERT_TRUE(request.ok()) << request.error().message;
  ASSERT_TRUE(request->has_value());
  EXPECT_EQ((*request)->message, AcmeUpdate());
  EXPECT_EQ((*request)->tsig.key_name, "certplane-test-key");
  EXPECT_EQ((*request)->tsig.time_signed, kSignedAt);
  EXPECT_EQ((*request)->tsig.original_id, 0x1234);
  // Key names compare case-insensitively, with or without the trailing dot.
  for (const std::string name : {"certplane-test-key.", "CERTPLANE-Test-Key"}) {
    const TsigKey key(name, std::string(kSecret));
    const std::optional<Error> error = VerifyTsig(**request, key, kSignedAt + 299);
    EXPECT_FALSE(error.has_value()) << name << ": " << error->message;
  }
}

TEST(DnsUpdateTsigTest, AMessageWithoutTsigSplitsToNothing) {
  Result<std::optional<SignedMessage>> split = SplitTsig(AcmeUpdate());
  ASSERT_TRUE(split.ok()) << split.error().message;
  EXPECT_FALSE(split->has_value());
}

struct TsigFailureCase {
  std::string name;
  std::string key_name = std::string(kKeyName);
  std::string secret = std::string(kSecret);
  std::string algorithm = "hmac-sha256";
  std::uint64_t now = kSignedAt;
  std::size_t mac_size = kHmacSha256Size;  // the request's MAC cut to this
  Rcode rcode = Rcode::kNotAuth;
  TsigError tsig_error = TsigError::kNone;
};

class TsigFailureTest : public ::testing::TestWithParam<TsigFailureCase> {};

TEST_P(TsigFailureTest, IsRefusedWithTheRightError) {
  const TsigFailureCase& c = GetParam();
  TsigRecord tsig = RequestTsig();
  tsig.algorithm = c.algorithm;
  Result<std::string> signed_message = SignMessage(AcmeUpdate(), kSecret, "", tsig);
  ASSERT_TRUE(signed_message.ok());
  Result<std::optional<SignedMessage>> request = SplitTsig(*signed_message);
  ASSERT_TRUE(request.ok() && request->has_value());
  (*request)->tsig.mac.resize(c.mac_size);
  const std::optional<Error> error = VerifyTsig(**request, TsigKey(c.key_name, c.secret), c.now);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->rcode, c.rcode) << error->message;
  EXPECT_EQ(error->tsig_error, c.tsig_error) << error->message;
}

INSTANTIATE_TEST_SUITE_P(
    DnsUpdateTsigTest, TsigFailureTest,
    ::testing::Values(
        TsigFailureCase{
            .name = "an_unknown_key_name_is_BADKEY", .key_name = "other-key.", .tsig_error = TsigError::kBadKey},
        TsigFailureCase{.name = "hmac_sha1_is_BADKEY", .algorithm = "hmac-sha1", .tsig_error = TsigError::kBadKey},
        TsigFailureCase{
            .name = "a_wrong_secret_is_BADSIG", .secret = "another secret", .tsig_error = TsigError::kBadSig},
        TsigFailureCase{.name = "a_truncated_mac_is_BADSIG", .mac_size = 16, .tsig_error = TsigError::kBadSig},
        TsigFailureCase{.name = "a_mac_under_half_the_hash_is_FORMERR", .mac_size = 8, .rcode = Rcode::kFormErr},
        TsigFailureCase{
            .name = "time_signed_past_the_fudge_is_BADTIME", .now = kSignedAt + 301, .tsig_error = TsigError::kBadTime},
        TsigFailureCase{.name = "time_signed_ahead_past_the_fudge_is_BADTIME",
                        .now = kSignedAt - 301,
                        .tsig_error = TsigError::kBadTime}),
    [](const ::testing::TestParamInfo<TsigFailureCase>& info) { return info.param.name; });

TEST(DnsUpdateTsigTest, EveryFlippedByteFailsAndAFlippedValueIsBadsig) {
  const std::string good = SignedAcmeUpdate();
  const TsigKey key = TestKey();
  // From byte 2: the header's ID is not signed (the TSIG's Original ID is), so that
  // forwarders may change it.
  for (std::size_t i = 2; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    Result<std::optional<SignedMessage>> split = SplitTsig(bad);
    if (!split.ok() || !split->has_value()) continue;  // no longer a signed message at all
    EXPECT_TRUE(VerifyTsig(**split, key, kSignedAt).has_value()) << "verified with byte " << i << " flipped";
  }
  std::string bad = good;
  bad[bad.find("abc")] = 'x';
  Result<std::optional<SignedMessage>> split = SplitTsig(bad);
  ASSERT_TRUE(split.ok() && split->has_value());
  const std::optional<Error> error = VerifyTsig(**split, key, kSignedAt);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->rcode, Rcode::kNotAuth);
  EXPECT_EQ(error->tsig_error, TsigError::kBadSig);
}

TEST(DnsUpdateTsigTest, AnsweringBadtimeSignsWithTheServersTimeInOtherData) {
  Result<std::optional<SignedMessage>> request = SplitTsig(SignedAcmeUpdate());
  ASSERT_TRUE(request.ok() && request->has_value());
  const TsigKey key = TestKey();
  Result<std::string> response = SignResponse(UpdateResponse((*request)->message, Rcode::kNotAuth), **request, key,
                                              TsigError::kBadTime, kSignedAt + 1000);
  ASSERT_TRUE(response.ok());
  Result<std::optional<SignedMessage>> answer = SplitTsig(*response);
  ASSERT_TRUE(answer.ok() && answer->has_value());
  const TsigRecord& tsig = (*answer)->tsig;
  EXPECT_EQ(tsig.error, TsigError::kBadTime);
  EXPECT_EQ(tsig.time_signed, kSignedAt);
  EXPECT_EQ(Hex(tsig.other), "00006553f4e8");  // 1700001000
  Result<std::string> mac = TsigMac(kSecret, (*request)->tsig.mac, (*answer)->message, tsig);
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(Hex(tsig.mac), Hex(*mac));
}

TEST(DnsUpdateTsigTest, AnsweringBadsigIsUnsigned) {
  Result<std::optional<SignedMessage>> request = SplitTsig(SignedAcmeUpdate());
  ASSERT_TRUE(request.ok() && request->has_value());
  const TsigKey key = TestKey();
  Result<std::string> response =
      SignResponse(UpdateResponse((*request)->message, Rcode::kNotAuth), **request, key, TsigError::kBadSig, kSignedAt);
  ASSERT_TRUE(response.ok());
  Result<std::optional<SignedMessage>> answer = SplitTsig(*response);
  ASSERT_TRUE(answer.ok() && answer->has_value());
  EXPECT_EQ((*answer)->tsig.error, TsigError::kBadSig);
  EXPECT_EQ((*answer)->tsig.mac, "");
  EXPECT_EQ(Get16(*response, 2) & 0xf, 9);  // NOTAUTH
}

// Runs every parser over `message`; nothing may crash (the sanitizer builds check
// reads past the end).
void ParseEverything(std::string_view message) {
  const TsigKey key = TestKey();
  Result<std::optional<SignedMessage>> split = SplitTsig(message);
  if (split.ok() && split->has_value()) {
    (void)VerifyTsig(**split, key, kSignedAt);
    (void)ParseUpdate((*split)->message, "test");
  }
  (void)ParseUpdate(message, "test");
  (void)UpdateResponse(message, Rcode::kFormErr);
}

TEST(DnsUpdateMalformedTest, EveryTruncationOfASignedUpdateIsFormerr) {
  const std::string good = SignedAcmeUpdate();
  for (std::size_t n = 0; n < good.size(); ++n) {
    const std::string cut = good.substr(0, n);
    Result<std::optional<SignedMessage>> split = SplitTsig(cut);
    ASSERT_FALSE(split.ok()) << "a " << n << "-byte prefix split";
    EXPECT_EQ(split.error().rcode, Rcode::kFormErr);
    Result<UpdateRequest> update = ParseUpdate(cut, "test");
    ASSERT_FALSE(update.ok()) << "a " << n << "-byte prefix parsed";
    ParseEverything(cut);
  }
}

TEST(DnsUpdateMalformedTest, RandomBytesAndMutationsNeverCrash) {
  std::mt19937 random(20240601);
  const std::string good = SignedAcmeUpdate();
  std::size_t changed = 0;
  std::size_t rejected = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string message;
    if (round % 2 == 0) {
      message.resize(random() % 300);
      for (char& c : message) c = static_cast<char>(random());
      if (message.size() >= 4 && round % 4 == 0) message[2] = 0x28;  // opcode UPDATE
    } else {
      message = good;
      for (int k = 0, n = 1 + static_cast<int>(random() % 4); k < n; ++k)
        message[random() % message.size()] = static_cast<char>(random());
      if (round % 3 == 0) message.resize(random() % message.size());
    }
    ParseEverything(message);
    if (message.size() == good.size() && message.substr(2) == good.substr(2)) continue;  // unchanged but the ID
    ++changed;
    Result<std::optional<SignedMessage>> split = SplitTsig(message);
    if (!split.ok() || !split->has_value() || VerifyTsig(**split, TestKey(), kSignedAt).has_value()) ++rejected;
  }
  EXPECT_GT(changed, 19000u);
  EXPECT_EQ(rejected, changed);  // a changed message never verifies
}

TEST(DnsUpdateMalformedTest, CompressionPointersMayOnlyPointBackwards) {
  // A name that points at itself, and one that points forwards.
  for (const std::string& name : {std::string("\xc0\x0c", 2), std::string("\xc0\x20", 2)}) {
    std::string message = UpdateMessage().Zone("test").Build();
    message += name;
    message += std::string("\x00\x10\x00\x01\x00\x00\x00\x3c\x00\x00", 10);
    message[9] = 1;  // UPCOUNT
    Result<UpdateRequest> update = ParseUpdate(message, "test");
    ASSERT_FALSE(update.ok());
    EXPECT_EQ(update.error().rcode, Rcode::kFormErr);
  }
}

// ParseUpdate: the RFC 2136 prescan.
struct ParseCase {
  std::string name;
  std::string message;
  Rcode rcode;
};

class ParseUpdateTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseUpdateTest, AnswersTheRcodeOfRfc2136) {
  Result<UpdateRequest> update = ParseUpdate(GetParam().message, "test");
  const Rcode rcode = update.ok() ? Rcode::kNoError : update.error().rcode;
  EXPECT_EQ(rcode, GetParam().rcode) << (update.ok() ? "" : update.error().message);
}

std::string WithCompressedOwner() {
  // The update RR's owner is "_acme-challenge" then a pointer to "test" in the zone section.
  std::string rr("\x0f_acme-challenge\xc0\x0c", 18);
  Put16(rr, kTypeTxt);
  Put16(rr, kClassIn);
  Put32(rr, 60);
  Put16(rr, 4);
  rr += std::string("\x03xyz", 4);
  return UpdateMessage().Zone("test").RawUpdate(rr).Build();
}

INSTANTIATE_TEST_SUITE_P(
    DnsUpdate, ParseUpdateTest,
    ::testing::Values(
        ParseCase{"accepts_an_add_and_three_kinds_of_delete",
                  UpdateMessage()
                      .Zone("TEST.")
                      .AddTxt("_acme-challenge.web.test", "abc")
                      .Update("a.test", kTypeA, kClassIn, 60, std::string("\xc0\x00\x02\x07", 4))
                      .Update("b.test", kTypeTxt, kClassAny, 0, "")
                      .Update("c.test", kTypeAny, kClassAny, 0, "")
                      .Update("d.test", kTypeTxt, kClassNone, 0, TxtRdata("v"))
                      .Build(),
                  Rcode::kNoError},
        ParseCase{"reads_compressed_owner_names", WithCompressedOwner(), Rcode::kNoError},
        ParseCase{"refuses_an_empty_zone_section", UpdateMessage().Build(), Rcode::kFormErr},
        ParseCase{"refuses_two_zones", UpdateMessage().Zone("test").Zone("test").Build(), Rcode::kFormErr},
        ParseCase{"refuses_a_zone_type_other_than_soa", UpdateMessage().Zone("test", kTypeTxt).Build(),
                  Rcode::kFormErr},
        ParseCase{"is_not_authoritative_for_another_zone",
                  UpdateMessage().Zone("example.com").AddTxt("x.example.com", "v").Build(), Rcode::kNotAuth},
        ParseCase{"is_not_authoritative_for_a_subzone", UpdateMessage().Zone("web.test").Build(), Rcode::kNotAuth},
        ParseCase{"refuses_a_name_outside_the_zone",
                  UpdateMessage().Zone("test").AddTxt("_acme-challenge.web.example", "v").Build(), Rcode::kNotZone},
        ParseCase{"refuses_a_name_that_only_ends_like_the_zone",
                  UpdateMessage().Zone("test").AddTxt("attest", "v").Build(), Rcode::kNotZone},
        ParseCase{"refuses_a_prerequisite_outside_the_zone",
                  UpdateMessage().Zone("test").Prerequisite("x.example", kTypeAny, kClassAny).Build(), Rcode::kNotZone},
        ParseCase{"refuses_a_class_any_delete_with_a_ttl",
                  UpdateMessage().Zone("test").Update("b.test", kTypeTxt, kClassAny, 60, "").Build(), Rcode::kFormErr},
        ParseCase{"refuses_a_class_any_delete_with_rdata",
                  UpdateMessage().Zone("test").Update("b.test", kTypeTxt, kClassAny, 0, TxtRdata("v")).Build(),
                  Rcode::kFormErr},
        ParseCase{"refuses_a_class_none_delete_with_a_ttl",
                  UpdateMessage().Zone("test").Update("b.test", kTypeTxt, kClassNone, 60, TxtRdata("v")).Build(),
                  Rcode::kFormErr},
        ParseCase{"refuses_an_a_record_of_three_bytes",
                  UpdateMessage().Zone("test").Update("a.test", kTypeA, kClassIn, 60, "abc").Build(), Rcode::kFormErr},
        ParseCase{"refuses_txt_rdata_that_overruns",
                  UpdateMessage()
                      .Zone("test")
                      .Update("t.test", kTypeTxt, kClassIn, 60,
                              "\x05"
                              "ab")
                      .Build(),
                  Rcode::kFormErr},
        ParseCase{"refuses_adding_type_any",
                  UpdateMessage().Zone("test").Update("t.test", kTypeAny, kClassIn, 60, "").Build(), Rcode::kFormErr},
        ParseCase{"refuses_class_chaos",
                  UpdateMessage().Zone("test").Update("t.test", kTypeTxt, 3, 60, "\x01v").Build(), Rcode::kFormErr},
        ParseCase{"refuses_a_query_opcode", UpdateMessage().Opcode(kOpcodeQuery).Zone("test").Build(), Rcode::kFormErr},
        ParseCase{"refuses_bytes_after_the_last_record", UpdateMessage().Zone("test").Build() + "x", Rcode::kFormErr}),
    [](const ::testing::TestParamInfo<ParseCase>& info) { return info.param.name; });

TEST(DnsUpdateParseTest, ListsTheOperationsInOrder) {
  Result<UpdateRequest> update = ParseUpdate(UpdateMessage()
                                                 .Zone("test")
                                                 .AddTxt("_acme-challenge.Web.test.", "abc")
                                                 .Update("b.test", kTypeTxt, kClassAny, 0, "")
                                                 .Update("c.test", kTypeAny, kClassAny, 0, "")
                                                 .Update("d.test", kTypeTxt, kClassNone, 0, TxtRdata("v"))
                                                 .Build(),
                                             "test");
  ASSERT_TRUE(update.ok()) << update.error().message;
  EXPECT_EQ(update->zone, "test");
  EXPECT_EQ(update->prerequisites, 0u);
  ASSERT_EQ(update->ops.size(), 4u);
  EXPECT_EQ(update->ops[0].kind, UpdateOp::Kind::kAdd);
  EXPECT_EQ(update->ops[0].name, "_acme-challenge.web.test");
  EXPECT_EQ(update->ops[0].ttl, 60u);
  EXPECT_EQ(TxtValue(update->ops[0].rdata), "abc");
  EXPECT_EQ(update->ops[1].kind, UpdateOp::Kind::kDeleteRrset);
  EXPECT_EQ(update->ops[2].kind, UpdateOp::Kind::kDeleteAll);
  EXPECT_EQ(update->ops[3].kind, UpdateOp::Kind::kDeleteRr);
  EXPECT_EQ(update->ops[3].name, "d.test");
}

// The responder, with real clients: BIND's nsupdate and dig.
class DnsUpdateServerTest : public ::testing::Test {
 protected:
  // Runs nsupdate with `key` ("hmac-sha256:<name>:<base64>") on a script that talks to
  // the responder, then `send`s. `tcp` adds -v. The output is stdout and stderr.
  CommandResult Nsupdate(const std::string& key, const std::vector<std::string>& commands, bool tcp = false,
                         const std::string& zone = "test.") {
    std::string script = "server 127.0.0.1 " + std::to_string(dns_.port()) + "\nzone " + zone + "\n";
    for (const std::string& c : commands) script += c + "\n";
    script += "send\n";
    const std::string path = dir_.Write("nsupdate-" + std::to_string(++scripts_) + ".txt", script);
    return RunShell("nsupdate -t 10 -u 2 -r 1 -y '" + key + "'" + (tcp ? " -v " : " ") + path);
  }

  static std::string Key(std::string_view name = kKeyName, std::string_view secret = kSecret) {
    return "hmac-sha256:" + std::string(name) + ":" + Base64(secret);
  }

  // `dig +short` of `type` at `name` against the responder: one value a line.
  std::string Dig(const std::string& name, const std::string& type = "TXT") {
    const CommandResult r =
        RunTool({"dig", "@127.0.0.1", "-p", std::to_string(dns_.port()), "+tries=1", "+time=2", "+short", type, name},
                {.capture_stderr = false});
    EXPECT_EQ(r.exit_code, 0) << "dig " << type << " " << name << ": " << r.output;
    return r.output;
  }

  TempDir dir_;
  int scripts_ = 0;
  DnsResponder dns_{"test."};
};

TEST_F(DnsUpdateServerTest, NsupdateAddsATxtRecordThatDigThenSees) {
  dns_.AllowUpdates(std::string(kKeyName), std::string(kSecret));
  const CommandResult o = Nsupdate(Key(), {"update add _acme-challenge.web.test. 60 TXT \"abc\""});
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(Dig("_acme-challenge.web.test"), "\"abc\"\n");
  EXPECT_EQ(dns_.updates(), 1u);
}

TEST_F(DnsUpdateServerTest, NsupdateOverTcpAddsAnARecord) {
  dns_.AllowUpdates("CERTPLANE-TEST-KEY", std::string(kSecret));
  const CommandResult o =
      Nsupdate(Key(), {"update add host.test. 60 A 192.0.2.7", "update add _acme-challenge.host.test. 60 TXT \"tcp\""},
               /*tcp=*/true);
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(Dig("host.test", "A"), "192.0.2.7\n");
  EXPECT_EQ(Dig("_acme-challenge.host.test"), "\"tcp\"\n");
  EXPECT_EQ(dns_.updates(), 1u);  // one message, applied at once
}

TEST_F(DnsUpdateServerTest, NsupdateDeletesOneRecordThenTheRrsetThenTheName) {
  dns_.AllowUpdates(std::string(kKeyName), std::string(kSecret));
  const std::string name = "_acme-challenge.web.test.";
  CommandResult o =
      Nsupdate(Key(), {"update add " + name + " 60 TXT \"one\"", "update add " + name + " 60 TXT \"two\""});
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(Dig(name), "\"one\"\n\"two\"\n");

  o = Nsupdate(Key(), {"update delete " + name + " TXT \"one\""});  // class NONE
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(Dig(name), "\"two\"\n");

  o = Nsupdate(Key(), {"update delete " + name + " TXT"});  // class ANY
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(Dig(name), "");

  dns_.SetA("gone.test", "192.0.2.9");
  o = Nsupdate(Key(), {"update delete gone.test."});  // class ANY, type ANY
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(Dig("gone.test", "A"), "");
  EXPECT_EQ(dns_.updates(), 4u);
}

TEST_F(DnsUpdateServerTest, UpdatesShareTheStoreWithSetTxtAndClear) {
  dns_.AllowUpdates(std::string(kKeyName), std::string(kSecret));
  dns_.SetTxt("_acme-challenge.web.test", {"set"});
  const CommandResult o = Nsupdate(Key(), {"update add _acme-challenge.web.test. 60 TXT \"set\"",
                                           "update add _acme-challenge.web.test. 60 TXT \"added\""});
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(Dig("_acme-challenge.web.test"), "\"set\"\n\"added\"\n");  // the duplicate is not added
  dns_.Clear("_acme-challenge.web.test.");
  EXPECT_EQ(Dig("_acme-challenge.web.test"), "");
}

TEST_F(DnsUpdateServerTest, NsupdateWithTheWrongSecretFailsWithBadsig) {
  dns_.AllowUpdates(std::string(kKeyName), std::string(kSecret));
  const CommandResult o =
      Nsupdate(Key(kKeyName, "not the secret"), {"update add _acme-challenge.web.test. 60 TXT \"x\""});
  EXPECT_NE(o.exit_code, 0);
  EXPECT_THAT(o.output, HasSubstr("BADSIG")) << o.output;
  EXPECT_EQ(Dig("_acme-challenge.web.test"), "");
  EXPECT_EQ(dns_.updates(), 0u);
}

TEST_F(DnsUpdateServerTest, NsupdateWithAnUnknownKeyFailsWithBadkey) {
  dns_.AllowUpdates(std::string(kKeyName), std::string(kSecret));
  const CommandResult o = Nsupdate(Key("someone-else."), {"update add _acme-challenge.web.test. 60 TXT \"x\""});
  EXPECT_NE(o.exit_code, 0);
  EXPECT_THAT(o.output, HasSubstr("BADKEY")) << o.output;
  EXPECT_EQ(Dig("_acme-challenge.web.test"), "");
  EXPECT_EQ(dns_.updates(), 0u);
}

TEST_F(DnsUpdateServerTest, WithoutAllowUpdatesNsupdateIsRefused) {
  const CommandResult o = Nsupdate(Key(), {"update add _acme-challenge.web.test. 60 TXT \"x\""});
  EXPECT_NE(o.exit_code, 0);
  EXPECT_THAT(o.output, HasSubstr("REFUSED")) << o.output;
  EXPECT_EQ(Dig("_acme-challenge.web.test"), "");
}

TEST_F(DnsUpdateServerTest, AnotherZoneIsNotauthAndANameOutsideIsNotzone) {
  dns_.AllowUpdates(std::string(kKeyName), std::string(kSecret));
  CommandResult o = Nsupdate(Key(), {"update add x.example. 60 TXT \"x\""}, false, "example.");
  EXPECT_NE(o.exit_code, 0);
  EXPECT_THAT(o.output, HasSubstr("NOTAUTH")) << o.output;
  o = Nsupdate(Key(), {"update add x.example. 60 TXT \"x\""});
  EXPECT_NE(o.exit_code, 0);
  EXPECT_THAT(o.output, HasSubstr("NOTZONE")) << o.output;
  EXPECT_EQ(dns_.updates(), 0u);
}

TEST_F(DnsUpdateServerTest, PrerequisitesAreNotImplemented) {
  dns_.AllowUpdates(std::string(kKeyName), std::string(kSecret));
  const CommandResult o = Nsupdate(
      Key(), {"prereq nxdomain _acme-challenge.web.test.", "update add _acme-challenge.web.test. 60 TXT \"x\""});
  EXPECT_NE(o.exit_code, 0);
  EXPECT_THAT(o.output, HasSubstr("NOTIMP")) << o.output;
  EXPECT_EQ(Dig("_acme-challenge.web.test"), "");
}

std::uint64_t Now() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

TEST_F(DnsUpdateServerTest, AnUnsignedUpdateIsRefused) {
  dns_.AllowUpdates(std::string(kKeyName), std::string(kSecret));
  std::optional<std::string> r = Exchange(dns_.port(), AcmeUpdate());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Get16(*r, 2) & 0xf, static_cast<int>(Rcode::kRefused));
  EXPECT_EQ(dns_.updates(), 0u);
}

TEST_F(DnsUpdateServerTest, AStaleSignatureIsBadtimeInASignedAnswer) {
  dns_.AllowUpdates(std::string(kKeyName), std::string(kSecret));
  std::optional<std::string> r = Exchange(dns_.port(), SignedAcmeUpdate());  // signed in 2023
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Get16(*r, 2) & 0xf, static_cast<int>(Rcode::kNotAuth));
  Result<std::optional<SignedMessage>> answer = SplitTsig(*r);
  ASSERT_TRUE(answer.ok() && answer->has_value());
  const TsigRecord& tsig = (*answer)->tsig;
  EXPECT_EQ(tsig.error, TsigError::kBadTime);
  ASSERT_EQ(tsig.other.size(), 6u);
  const std::uint64_t server_time = (std::uint64_t{Get16(tsig.other, 0)} << 32) | Get32(tsig.other, 2);
  EXPECT_NEAR(static_cast<double>(server_time), static_cast<double>(Now()), 5);
  Result<std::optional<SignedMessage>> request = SplitTsig(SignedAcmeUpdate());
  ASSERT_TRUE(request.ok() && request->has_value());
  Result<std::string> mac = TsigMac(kSecret, (*request)->tsig.mac, (*answer)->message, tsig);
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(Hex(tsig.mac), Hex(*mac));
  EXPECT_EQ(dns_.updates(), 0u);
}

TEST_F(DnsUpdateServerTest, ASignedUpdateFromOurOwnClientIsAppliedAndTheAnswerVerifies) {
  dns_.AllowUpdates(std::string(kKeyName), std::string(kSecret));
  TsigRecord tsig = RequestTsig();
  tsig.time_signed = Now();
  Result<std::string> request = SignMessage(AcmeUpdate(), kSecret, "", tsig);
  ASSERT_TRUE(request.ok());
  std::optional<std::string> r = Exchange(dns_.port(), *request);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Get16(*r, 0), 0x1234);
  EXPECT_EQ(Get16(*r, 2), 0xa800);  // QR, UPDATE, NOERROR
  Result<std::optional<SignedMessage>> answer = SplitTsig(*r);
  ASSERT_TRUE(answer.ok() && answer->has_value());
  Result<std::optional<SignedMessage>> sent = SplitTsig(*request);
  ASSERT_TRUE(sent.ok() && sent->has_value());
  Result<std::string> mac = TsigMac(kSecret, (*sent)->tsig.mac, (*answer)->message, (*answer)->tsig);
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(Hex((*answer)->tsig.mac), Hex(*mac));
  EXPECT_EQ((*answer)->tsig.error, TsigError::kNone);
  EXPECT_EQ(dns_.updates(), 1u);
  EXPECT_EQ(Dig("_acme-challenge.web.test"), "\"abc\"\n");
}

TEST_F(DnsUpdateServerTest, MalformedUpdatesNeverStopTheServer) {
  dns_.AllowUpdates(std::string(kKeyName), std::string(kSecret));
  std::mt19937 random(7);
  const std::string good = SignedAcmeUpdate();
  for (int round = 0; round < 300; ++round) {
    std::string message = good.substr(0, 13 + random() % (good.size() - 13));
    for (int k = 0; k < 3; ++k) message[12 + random() % (message.size() - 12)] = static_cast<char>(random());
    std::optional<std::string> r = Exchange(dns_.port(), message);
    if (r) {
      EXPECT_NE(Get16(*r, 2) & 0xf, 0) << "round " << round << " was accepted";
    }
  }
  EXPECT_EQ(dns_.updates(), 0u);
  dns_.SetTxt("alive.test", {"yes"});
  EXPECT_EQ(Dig("alive.test"), "\"yes\"\n");
}

}  // namespace
}  // namespace certplane::testing::dns
