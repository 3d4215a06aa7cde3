// The public routes' sources over the controller's informer caches: what the routes
// (http/routes/) read, wired to reconcile::Caches here, at the top, so that neither
// library links the other.
//
//   http::RegisterPublicRoutes(router, PublicRouteSourcesOf(caches, *kube::SystemClock()));
//   http::RegisterBundleRoutes(router, BundleRouteSourcesOf(caches, client, reviewer, clock, false));
#pragma once

#include <memory>

#include "http/routes/bundle_routes.h"
#include "http/routes/public_routes.h"
#include "kube/access_review.h"
#include "kube/clock.h"
#include "kube/rest_client.h"
#include "reconcile/caches.h"

namespace certplane::controller {

// The CRL shards (Caches::CrlShard) and CertificateAuthorities of `caches`. `caches` and
// `clock` must outlive the routes.
http::PublicRouteSources PublicRouteSourcesOf(const reconcile::Caches& caches, const kube::Clock& clock);

// The Certificates of `caches`, Secrets read and reviews made with `client` (which needs
// get on secrets and create on tokenreviews and subjectaccessreviews). `caches`,
// `reviewer` and `clock` must outlive the routes.
http::BundleRouteSources BundleRouteSourcesOf(const reconcile::Caches& caches,
                                              const std::shared_ptr<kube::Client>& client,
                                              kube::AccessReviewer& reviewer, const kube::Clock& clock,
                                              bool allow_plain_http);

}  // namespace certplane::controller
