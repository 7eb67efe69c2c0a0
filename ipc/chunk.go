package ipc

import "encoding/binary"

// AppendChunk appends a Chunk frame to dst: n calls of t.Func, whose arguments t.Input
// holds encoded together (as the codec encodes a slice of them), with one id and one
// deadline for all.
func AppendChunk(dst []byte, t Task, n int) []byte {
	dst, start := beginFrame(dst, KindChunk)
	dst = binary.AppendUvarint(dst, uint64(n))
	return endFrame(appendTask(dst, t), start)
}

// DecodeChunk decodes a Chunk body. Input aliases body.
func DecodeChunk(body []byte) (t Task, n int, err error) {
	d := decoder{b: body}
	n = int(d.uvarint("chunk count"))
	t = d.task()
	if d.err == nil && (n < 1 || n > len(body)) {
		d.fail("chunk count")
	}
	return t, n, d.end("chunk")
}

// BeginChunkResult appends the start of a ChunkResult frame for chunk id, with the
// failed calls (their ID is the call's index in the chunk). The caller appends the
// encoded results (a slice of n, zero values where a call failed) and ends the frame
// with [EndFrame].
func BeginChunkResult(dst []byte, id uint64, failed []Error) (out []byte, start int) {
	dst, start = beginFrame(dst, KindChunkResult)
	dst = binary.AppendUvarint(dst, id)
	dst = binary.AppendUvarint(dst, uint64(len(failed)))
	for _, e := range failed {
		dst = binary.AppendUvarint(dst, e.ID)
		dst = appendFailure(dst, e)
	}
	return dst, start
}

// DecodeChunkResult decodes a ChunkResult body: the chunk's id, its failed calls (ID is
// the call's index), and the encoded results. Output and the failures' Stack alias body.
func DecodeChunkResult(body []byte) (id uint64, failed []Error, output []byte, err error) {
	d := decoder{b: body}
	id = d.uvarint("id")
	n := d.count("failures", 5)
	for range n {
		failed = append(failed, d.failure(d.uvarint("index")))
	}
	output = d.rest()
	return id, failed, output, d.err
}
