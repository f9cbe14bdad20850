/* placeholder until the runner lands */
#include "runner.h"
#include <stdio.h>
int ldrun_main(int argc, char **argv, const ld_registry *registry)
{
    (void)argc; (void)argv; (void)registry;
    fprintf(stderr, "letsdata-runtime run: not available yet\n");
    return 2;
}
