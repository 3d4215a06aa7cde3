#include "pki/internal/key_decoder.h"

#include <array>
#include <memory>

#include <openssl/decoder.h>

#include "pki/errors.h"

namespace certplane::pki::internal {
namespace {

using DecoderCtxPtr = std::unique_ptr<OSSL_DECODER_CTX, FreeWith<OSSL_DECODER_CTX_free>>;

// The kinds a thread keeps a context for: the key types certplane supports, in the two
// structures it reads. Anything else takes OpenSSL's own path.
struct Kind {
  KeyStructure structure;
  std::string_view keytype;
};
constexpr std::array<Kind, 5> kKinds{{
    {KeyStructure::kPkcs8, "rsaEncryption"},
    {KeyStructure::kPkcs8, "id-ecPublicKey"},
    {KeyStructure::kPkcs8, "ED25519"},
    {KeyStructure::kTypeSpecific, "RSA"},
    {KeyStructure::kTypeSpecific, "EC"},
}};

int KindIndex(KeyStructure structure, std::string_view keytype) {
  for (size_t i = 0; i < kKinds.size(); ++i) {
    if (kKinds[i].structure == structure && kKinds[i].keytype == keytype) return static_cast<int>(i);
  }
  return -1;
}

// A decoder context and the pointer it writes each decoded key to. The context holds the
// address of `decoded`, so a Slot never moves (it lives behind a unique_ptr).
struct Slot {
  EVP_PKEY* decoded = nullptr;  // owned while set; DecodePrivateKeyDer takes it
  DecoderCtxPtr ctx;

  ~Slot() { EVP_PKEY_free(decoded); }  // clears any private part
};

std::unique_ptr<Slot> NewSlot(const Kind& kind) {
  auto slot = std::make_unique<Slot>();
  const char* structure = kind.structure == KeyStructure::kPkcs8 ? "PrivateKeyInfo" : "type-specific";
  const std::string keytype(kind.keytype);
  slot->ctx.reset(OSSL_DECODER_CTX_new_for_pkey(&slot->decoded, "DER", structure, keytype.c_str(), EVP_PKEY_KEYPAIR,
                                                nullptr, nullptr));
  if (!slot->ctx || OSSL_DECODER_CTX_get_num_decoders(slot->ctx.get()) == 0) return nullptr;
  return slot;
}

// One thread's contexts, made on first use and freed when the thread ends.
struct ThreadDecoders {
  std::array<std::unique_ptr<Slot>, kKinds.size()> slots;
};

}  // namespace

EvpPkeyPtr DecodePrivateKeyDer(ByteView der, KeyStructure structure, std::string_view keytype) {
  int index = KindIndex(structure, keytype);
  if (index < 0 || der.empty()) return EvpPkeyPtr();
  thread_local ThreadDecoders decoders;
  std::unique_ptr<Slot>& slot = decoders.slots[static_cast<size_t>(index)];
  if (!slot) slot = NewSlot(kKinds[static_cast<size_t>(index)]);
  if (!slot) {
    ClearOpenSslErrors();
    return EvpPkeyPtr();
  }
  const unsigned char* in = der.data();
  size_t left = der.size();
  bool decoded = OSSL_DECODER_from_data(slot->ctx.get(), &in, &left) == 1 && slot->decoded != nullptr;
  EvpPkeyPtr key(slot->decoded);  // the context wrote it; ours now
  slot->decoded = nullptr;
  if (!decoded || left != 0) {
    slot.reset();  // made again for the next key
    ClearOpenSslErrors();
    return EvpPkeyPtr();
  }
  return key;
}

}  // namespace certplane::pki::internal
