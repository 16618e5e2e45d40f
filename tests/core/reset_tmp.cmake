# Empties the core tests' private temp directory: cmake -DDIR=<dir> -P reset_tmp.cmake
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}")
