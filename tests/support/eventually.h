// Polling for tests that wait on something outside them (a server, a child process, the
// API server): the condition is checked until it holds or the time is up.
//
//   ASSERT_TRUE(Eventually([&] { return ReadFile(log).find("ready") != std::string::npos; }));
#pragma once

#include <chrono>
#include <functional>

namespace certplane::testing {

// Checks `condition` every `interval` until it holds (true) or `timeout` has passed
// (false; the condition is checked once more at the end).
bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(30),
                std::chrono::milliseconds interval = std::chrono::milliseconds(50));

}  // namespace certplane::testing
