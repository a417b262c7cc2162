# cmake -DINPUT=<file.bc> -DOUTPUT=<file.inc> -DSYMBOL=<name> -P EmbedBitcode.cmake
# Writes the bytes of INPUT as `static const unsigned char SYMBOL[] = {...};`.
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT}; do not edit.\n"
  "static const unsigned char ${SYMBOL}[] = {${bytes}};\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
