package ipc

// KindRecycle is the kind of a Recycle frame (worker→parent, empty body): a task asks that
// its worker be replaced once the unit it belongs to is answered. A worker sends it before
// that task's answer, and only to a parent that takes it: one whose DUALPOOL_FEATURES
// has [FeatureRecycle]. Its number is fixed apart from the iota list of the other kinds.
const KindRecycle Kind = 12

// FeatureRecycle: in a Hello, the worker's tasks may ask to be recycled (it sends Recycle
// frames to a parent that takes them); in DUALPOOL_FEATURES, the parent takes them. An
// older parent ignores the bit and is never sent the frame.
const FeatureRecycle Feature = 2

// AppendRecycle appends a Recycle frame to dst.
func AppendRecycle(dst []byte) []byte {
	dst, start := beginFrame(dst, KindRecycle)
	return endFrame(dst, start)
}

// DecodeRecycle checks a Recycle body, which is empty.
func DecodeRecycle(body []byte) error {
	d := decoder{b: body}
	return d.end("recycle")
}
