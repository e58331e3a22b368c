#include "batched/rmap.h"
