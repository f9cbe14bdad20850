/* consumer_handler.h - the out-of-tree test handler's registration function. */
#ifndef CONSUMER_HANDLER_H
#define CONSUMER_HANDLER_H

#include <letsdata/registry.h>

int consumer_register(ld_registry *registry);

#endif
