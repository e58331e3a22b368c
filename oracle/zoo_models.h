// Models of the bug-zoo entries, for recognising known bugs by behaviour
// (oracle/known_bugs.h): batched/rmap.cc with each tests/bugzoo/NAME.patch
// applied, compiled into a namespace of its own (uf::zoo_NAME) by
// oracle/zoo_models.cmake. An entry whose patch does not apply to this tree
// (a user's modified batched/) has no model.
#pragma once

#include "mm/mm_types.h"

namespace uf
{

struct zoo_model {
        const char *name; // the zoo entry, e.g. "b5_nr_pages_not_reset"; null ends the table
        bool (*try_to_unmap)(folio *folio, unsigned int flags);
};

// Ends with {nullptr, nullptr}.
extern const zoo_model zoo_models[];
// The model of a zoo entry, or null.
const zoo_model *find_zoo_model(const char *name);

} // namespace uf
