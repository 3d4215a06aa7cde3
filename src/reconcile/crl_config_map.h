// The CRL ConfigMaps as reconcile names them: crl/crl_config_map.h's types and functions,
// brought into this namespace for the reconcile code written before they moved down to
// the crl library (so that the HTTP routes read them without linking reconcile). New
// code includes crl/crl_config_map.h and says crl::.
#pragma once

#include "crl/crl_config_map.h"

namespace certplane::reconcile {

using crl::CrlConfigMap;
using crl::CrlConfigMapName;
using crl::CrlEtag;
using crl::DecodeCrlConfigMap;
using crl::IsCrlShardLikeCaName;
using crl::ParseCrlShard;
using crl::RetiredCrlDataKey;
using crl::RetiredDeltaCrlDataKey;

}  // namespace certplane::reconcile
