package salesforce

import "testing"

func TestPublicOnly(t *testing.T) {
	tests := []struct {
		address string
		allowed bool
	}{
		{"93.184.215.14:443", true},
		{"[2001:4860:4860::8888]:443", true},
		{"100.63.255.255:80", true},
		{"100.128.0.0:80", true},
		{"127.0.0.1:80", false},
		{"127.1.2.3:80", false},
		{"[::1]:80", false},
		{"[::ffff:127.0.0.1]:80", false},
		{"[::ffff:10.0.0.1]:80", false},
		{"10.0.0.1:80", false},
		{"172.16.0.1:80", false},
		{"192.168.1.1:80", false},
		{"[fd00::1]:80", false},
		{"100.64.0.1:80", false},
		{"100.100.100.200:80", false},
		{"169.254.169.254:80", false},
		{"[fe80::1]:80", false},
		{"224.0.0.1:80", false},
		{"[ff02::1]:80", false},
		{"0.0.0.0:80", false},
		{"[::]:80", false},
		{"255.255.255.255:80", false},
		{"0.1.2.3:80", false},
		{"0.255.255.255:80", false},
		{"1.0.0.1:80", true},
		{"[64:ff9b::a00:1]:80", false},
		{"[64:ff9b::5db8:d70e]:80", false},
		{"[::7f00:1]:80", false},
		{"[::5db8:d70e]:80", false},
		{"[64:ff9a::1]:80", true},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			err := publicOnly("tcp", tt.address, nil)
			if (err == nil) != tt.allowed {
				t.Errorf("publicOnly(%s) = %v, want allowed %v", tt.address, err, tt.allowed)
			}
		})
	}
}
