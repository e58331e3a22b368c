# usage: ./unmapfuzz print FILE
# about: a scenario (binary crash file or text) as canonical text
# operands: 1 1
# status: not used (0 when printed)

cmd_print() {
	tool print -- "$1"
}
