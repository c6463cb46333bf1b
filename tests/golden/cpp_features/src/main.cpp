// main.cpp - calls of every kind and references with every role.
#include "deep.h"
#include "shapes.h"
#include "templates.h"
#include "util.h"

// Both come from the compile command (quoted -D values): a wrong split breaks the parse.
static_assert(CIDX_SUM == 3, "CIDX_SUM must be 1 + 2");
const char *greeting = CIDX_GREETING;

/// Triples a value; only ever passed as a function pointer, never called directly.
static int triple(int v)
{
    return v * 3;
}

namespace {
/// In the anonymous namespace: internal to main.cpp.
int hidden_helper(int v)
{
    return v + UTIL_VERSION;
}
} // namespace

/// A function object.
struct Doubler {
    int operator()(int v) const { return v * 2; }
};

int main()
{
    geo::Sink out;
    geo::Circle circle(2.0);
    geo::Shape *shape = &circle;
    shape->draw(out);
    circle.draw(out);
    int live = geo::Shape::count();
    int sq = outer::deepns::square(4);
    int sum = outer::inner::add(1, 2);
    double dsum = outer::inner::add(1.5, 2.5);
    int three = outer::inner::add(1, 2, 3);
    int ver = outer::version();
    g_counter = 5;
    int read = g_counter;
    int *where = &g_counter;
    g_counter += read;
    int via_ptr = apply(&triple, 3);
    Doubler twice;
    int doubled = twice(21);
    auto lambda = [&](int v) { return hidden_helper(v) + outer::deepns::cube(v); };
    int from_lambda = lambda(2);
    tmpl::Stack<int> stack;
    stack.push(7);
    int big = tmpl::biggest_of_three(1, 5, 3);
    const char *word = tmpl::largest<const char *>("a", "b");
    tmpl::IntStack ints;
    int peeked = ints.peek();
    tmpl::Apples apples;
    int twice_apples = apples.twice();
    double pi = tmpl::pi<double>;
    tmpl::Pair<int> pair;
    int pair_size = pair.size();
    deep::Deep100 bottom;
    deep::Deep0 *top = &bottom;
    int lvl = top->level();
    geo::Labeled labeled(1.0, "disc");
    geo::Square square(2.0);
    geo::Shape *shapes[] = {&circle, &square, &labeled};
    geo::draw_all(shapes, 3, out);
    bool same = circle == square;
    if (circle)
        out << "truthy";
    Color color = GREEN;
    Mode mode = Mode::Auto;
    Record rec;
    rec.id = 1;
    Number num;
    num.f = 1.0f;
    Point pt{1, 2};
    ulong_t biggest = UTIL_MAX(sum, three);
    geo::Joined joined;
    int total = joined.total();
    return live + sq + sum + int(dsum) + three + ver + *where + via_ptr + doubled + from_lambda +
           big + (word ? 1 : 0) + peeked + twice_apples + int(pi) + pair_size + lvl + same +
           color + int(mode) + rec.id + num.i + pt.x + int(biggest) + total + out.written();
}
