// Guided search: coverage-guided mutation of fault schedules (after Mallory and ModelFuzz).
//
// It starts from fresh draws: when the scenario has a nemesis, half take it as written (the
// random strategy's schedule for that seed), half are swarm draws; without one, all are swarm.
// Every schedule whose run reached abstract states or transitions nobody had reached (coverage.h)
// joins the corpus with an energy equal to what it found; later runs are mostly mutants of corpus
// schedules (schedule.h: shift, stretch, retarget, insert, delete, splice, reseed), a parent chosen
// with odds by energy. A parent whose child finds new coverage gains that much energy; every pick
// spends a little, so the search keeps moving. A fifth of the runs stay fresh draws, so it never
// stops looking elsewhere.
#pragma once

#include <memory>

#include "explore/search.h"

namespace raftsim::explore {

std::unique_ptr<Search> make_guided_search(const Scenario& base, SeedRange seeds,
                                           uint64_t search_seed);

}  // namespace raftsim::explore
