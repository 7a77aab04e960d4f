#pragma once

// A few searches run hundreds of whole simulations: seconds in the optimised suite, minutes under
// AddressSanitizer. Their logic is the same in both builds, so the sanitizer suite leaves them to
// the optimised one and covers the same code with the smaller searches beside them.
#if defined(__SANITIZE_ADDRESS__)
#define RAFTSIM_OPTIMISED_BUILD_ONLY()                                                      \
  GTEST_SKIP() << "a long search: runs in the optimised build; the sanitizer build covers " \
                  "the same code with shorter ones"
#else
#define RAFTSIM_OPTIMISED_BUILD_ONLY() static_cast<void>(0)
#endif
