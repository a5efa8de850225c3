/*
 * inspector.h - the object inspector (Enter on a selected object): its id,
 * span, size class, color, pointer fields with their targets' colors, and
 * who points to it when the engine can find out.
 */
#ifndef TRICOLOR_TUI_INSPECTOR_H
#define TRICOLOR_TUI_INSPECTOR_H

#include <stdbool.h>

#include <curses.h>

#include "tui/theme.h"
#include "view/view.h"

/* Draw the inspector box into w for object o (found is false when the
 * object no longer exists: say so instead); h colors the referrers. */
void inspector_draw(WINDOW *w, const tv_object *o, bool found, tc_objid id,
                    const tv_heap *h, const theme *th);

#endif /* TRICOLOR_TUI_INSPECTOR_H */
