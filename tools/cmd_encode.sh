# usage: ./unmapfuzz encode FILE OUT
# about: a scenario (text or binary) as the binary the engines read, written to OUT
# operands: 2 2
# status: not used (0 when written)

cmd_encode() {
	tool encode -- "$1" "$2"
}
