// Internal to the crawler: the Gumbo tree under HtmlToText (crawler/html_text.h), for
// parsers of one site's markup (crawler/telegram.h). Use html_text.h for anything else.
#pragma once

#include <gumbo.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lw {

struct GumboOutputDeleter {
  void operator()(GumboOutput* output) const;
};
using GumboOutputPtr = std::unique_ptr<GumboOutput, GumboOutputDeleter>;

// Parses UTF-8 HTML the way a browser would. Null only when Gumbo runs out of memory.
GumboOutputPtr ParseHtml(std::string_view html);

// Visits the tree without recursion (documents can nest deeply): `enter` for each node,
// which returns whether to descend, and `leave` for each element entered.
template <class Enter, class Leave>
void Walk(const GumboNode* root, Enter enter, Leave leave) {
  struct Frame {
    const GumboNode* node;
    bool leaving;
  };
  std::vector<Frame> stack{{root, false}};
  while (!stack.empty()) {
    Frame f = stack.back();
    stack.pop_back();
    if (f.leaving) {
      leave(f.node);
      continue;
    }
    if (!enter(f.node)) continue;
    const GumboVector* children = nullptr;
    if (f.node->type == GUMBO_NODE_DOCUMENT) children = &f.node->v.document.children;
    else if (f.node->type == GUMBO_NODE_ELEMENT || f.node->type == GUMBO_NODE_TEMPLATE) children = &f.node->v.element.children;
    if (!children) continue;
    if (f.node->type != GUMBO_NODE_DOCUMENT) stack.push_back({f.node, true});
    for (unsigned i = children->length; i-- > 0;)
      stack.push_back({static_cast<const GumboNode*>(children->data[i]), false});
  }
}

// The value of attribute `name` of an element, or null.
const char* Attribute(const GumboNode* node, const char* name);

// Whether the element's class attribute holds the token `name`.
bool HasClass(const GumboNode* node, std::string_view name);

// The visible text of the subtree at `node` (an element or the document), with the rules
// of HtmlToText. Elements for which `skip` returns true are left out with their subtrees.
std::string NodeText(const GumboNode* node, const std::function<bool(const GumboNode*)>& skip = {});

}  // namespace lw
