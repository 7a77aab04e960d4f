#include "explore/svg.h"

#include <fmt/format.h>

#include <algorithm>

#include "markup/html.h"

namespace raftsim::explore {

namespace {

constexpr double kWidth = 720, kHeight = 420;
constexpr double kLeft = 70, kRight = 20, kTop = 40, kBottom = 50;
constexpr const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};

// A round step for `most` split in about five ticks: 1, 2 or 5 times a power of ten.
uint64_t tick_step(uint64_t most) {
  uint64_t step = 1;
  while (true) {
    for (uint64_t m : {1, 2, 5})
      if (step * m * 5 >= most) return step * m;
    step *= 10;
  }
}

}  // namespace

std::string coverage_svg(const std::string& title, const std::vector<CoverageLine>& lines) {
  uint64_t runs = 1, states = 1;
  for (const CoverageLine& l : lines) {
    runs = std::max<uint64_t>(runs, l.states_after.size());
    if (!l.states_after.empty()) states = std::max(states, l.states_after.back());
  }
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto x = [&](double run) { return kLeft + plot_w * run / static_cast<double>(runs); };
  auto y = [&](double s) { return kTop + plot_h * (1 - s / static_cast<double>(states)); };

  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"22\" font-size=\"15\">{3}</text>\n",
      kWidth, kHeight, kLeft, markup::html_escaped(title));
  // Axes with round ticks.
  out += fmt::format("<path d=\"M{0} {1} V{2} H{3}\" stroke=\"black\" fill=\"none\"/>\n", kLeft,
                     kTop, kTop + plot_h, kLeft + plot_w);
  for (uint64_t r = 0, step = tick_step(runs); r <= runs; r += step) {
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", x(r),
                       kTop + plot_h + 16, r);
  }
  for (uint64_t s = 0, step = tick_step(states); s <= states; s += step) {
    out += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n"
        "<path d=\"M{:.1f} {:.1f} H{:.1f}\" stroke=\"#ddd\"/>\n",
        kLeft - 6, y(s) + 4, s, kLeft, y(s), kLeft + plot_w);
  }
  out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">runs</text>\n",
                     kLeft + plot_w / 2, kHeight - 12);
  out += fmt::format(
      "<text transform=\"translate(16 {:.1f}) rotate(-90)\" text-anchor=\"middle\">"
      "distinct abstract states</text>\n",
      kTop + plot_h / 2);
  // One polyline per strategy, with its legend.
  for (size_t i = 0; i < lines.size(); ++i) {
    const char* colour = kColours[i % std::size(kColours)];
    std::string points = fmt::format("{:.1f},{:.1f}", x(0), y(0));
    const auto& v = lines[i].states_after;
    // At most ~1000 points: a long sweep is drawn from every k-th run and its last.
    const size_t every = std::max<size_t>(1, v.size() / 1000);
    for (size_t r = 0; r < v.size(); ++r)
      if (r % every == 0 || r + 1 == v.size())
        points += fmt::format(" {:.1f},{:.1f}", x(static_cast<double>(r + 1)),
                              y(static_cast<double>(v[r])));
    out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                       points, colour);
    const double ly = kTop + 16 + 18 * static_cast<double>(i);
    out += fmt::format(
        "<path d=\"M{0:.1f} {1:.1f} h24\" stroke=\"{2}\" stroke-width=\"3\"/>"
        "<text x=\"{3:.1f}\" y=\"{4:.1f}\">{5}</text>\n",
        kLeft + 16, ly, colour, kLeft + 46, ly + 4,
        markup::html_escaped(
            fmt::format("{}: {} states", lines[i].label, v.empty() ? 0 : v.back())));
  }
  out += "</svg>\n";
  return out;
}

}  // namespace raftsim::explore
