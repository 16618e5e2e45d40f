# espctl_add_plugin(NAME SOURCES src... [LIBS lib...] [NO_INSTALL] [OUTPUT_DIR dir])
# Builds NAME.so as a MODULE that exports only espctl_plugin_entry_v1 and
# installs it into ${libdir}/espctl/plugins.
set(ESPCTL_PLUGIN_MAP ${CMAKE_CURRENT_LIST_DIR}/plugin.map)

function(espctl_add_plugin name)
  cmake_parse_arguments(P "NO_INSTALL" "OUTPUT_DIR" "SOURCES;LIBS" ${ARGN})
  if(NOT P_OUTPUT_DIR)
    set(P_OUTPUT_DIR ${ESPCTL_PLUGIN_BUILD_DIR})
  endif()
  add_library(${name} MODULE ${P_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIR}
    C_VISIBILITY_PRESET hidden
    LINK_DEPENDS ${ESPCTL_PLUGIN_MAP})
  target_link_libraries(${name} PRIVATE espctl_plugin_api ${P_LIBS})
  target_link_options(${name} PRIVATE
    "LINKER:--version-script=${ESPCTL_PLUGIN_MAP}" "LINKER:-z,defs")
  if(NOT P_NO_INSTALL)
    install(TARGETS ${name} LIBRARY DESTINATION ${ESPCTL_PLUGIN_INSTALL_DIR})
  endif()
endfunction()
