package goplugin

import (
	"context"
	"io"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// pluginName is the name the host dispenses and the plugin serves.
const pluginName = "dualpool"

// The frames service: one bidirectional stream that carries package ipc's frames, each
// message a run of whole frames in a BytesValue. A hand-written service description, so
// no protoc step is needed; another language serves it as
//
//	service Frames { rpc Stream(stream google.protobuf.BytesValue) returns (stream google.protobuf.BytesValue); }
//
// in package dualpool.
const streamMethod = "/dualpool.Frames/Stream"

var framesDesc = grpc.ServiceDesc{
	ServiceName: "dualpool.Frames",
	HandlerType: (*any)(nil),
	Streams: []grpc.StreamDesc{{
		StreamName:    "Stream",
		Handler:       func(srv any, stream grpc.ServerStream) error { return srv.(*framesServer).serve(stream) },
		ServerStreams: true,
		ClientStreams: true,
	}},
	Metadata: "dualpool.proto",
}

// framesPlugin is the go-plugin side of both ends: the plugin registers the service,
// the host gets the connection to open the stream on.
type framesPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	server *framesServer // the plugin's; nil in the host
}

func (p *framesPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	s.RegisterService(&framesDesc, p.server)
	return nil
}

func (p *framesPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return c, nil
}

// msgStream is what both ends of the stream have in common.
type msgStream interface {
	SendMsg(m any) error
	RecvMsg(m any) error
}

// streamReader reads the frames of a stream as bytes. Any error of the stream reads as
// io.EOF: the other side is gone, and the pool learns how from the process's exit.
type streamReader struct {
	s   msgStream
	msg wrapperspb.BytesValue
	buf []byte
}

func (r *streamReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if err := r.s.RecvMsg(&r.msg); err != nil {
			return 0, io.EOF
		}
		r.buf = r.msg.Value
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// streamWriter sends each Write as one message; the message is encoded before SendMsg
// returns, so p may be reused at once. Not safe for concurrent use.
type streamWriter struct {
	s   msgStream
	msg wrapperspb.BytesValue
}

func (w *streamWriter) Write(p []byte) (int, error) {
	w.msg.Value = p
	err := w.s.SendMsg(&w.msg)
	w.msg.Value = nil
	if err != nil {
		return 0, err
	}
	return len(p), nil
}
