#!/usr/bin/perl
# Drives the EPP sandbox with Net::EPP::Client (Debian libnet-epp-perl), an EPP client written
# elsewhere: TLS connect, greeting, login, domain check and info, logout. Prints one line per fact
# for the vitest test to assert on.
#
# usage: perl net-epp-client.pl HOST PORT CLID PASSWORD DOMAIN MISSING_DOMAIN
use strict;
use warnings;
use IO::Socket::SSL qw(SSL_VERIFY_NONE);
use Net::EPP::Client;
use Net::EPP::Frame::Command::Check::Domain;
use Net::EPP::Frame::Command::Info::Domain;
use Net::EPP::Frame::Command::Login;
use Net::EPP::Frame::Command::Logout;

my ($host, $port, $clid, $pw, $domain, $missing) = @ARGV;
die "usage: $0 HOST PORT CLID PASSWORD DOMAIN MISSING_DOMAIN\n" unless defined $missing;

my $EPP    = 'urn:ietf:params:xml:ns:epp-1.0';
my $DOMAIN = 'urn:ietf:params:xml:ns:domain-1.0';

sub first_text {
    my ($doc, $ns, $name) = @_;
    my @nodes = $doc->getElementsByTagNameNS($ns, $name);
    return @nodes ? $nodes[0]->textContent : '';
}

sub result_line {
    my ($label, $answer) = @_;
    my @results = $answer->getElementsByTagNameNS($EPP, 'result');
    printf "%s code=%s clTRID=%s\n", $label, $results[0]->getAttribute('code'), first_text($answer, $EPP, 'clTRID');
}

my $epp = Net::EPP::Client->new(host => $host, port => $port, ssl => 1, frames => 1);
my $greeting = $epp->connect(SSL_verify_mode => SSL_VERIFY_NONE, Timeout => 10);
printf "greeting svID=%s\n", first_text($greeting, $EPP, 'svID');
my @objURIs = map { $_->textContent } $greeting->getElementsByTagNameNS($EPP, 'objURI');
print "greeting objURI=$_\n" for @objURIs;

my $login = Net::EPP::Frame::Command::Login->new;
$login->clID->appendText($clid);
$login->pw->appendText($pw);
$login->version->appendText('1.0');
$login->lang->appendText('en');
for my $uri (@objURIs) {
    my $el = $login->createElement('objURI');
    $el->appendText($uri);
    $login->svcs->appendChild($el);
}
$login->clTRID->appendText('NETEPP-LOGIN');
result_line('login', $epp->request($login));

my $check = Net::EPP::Frame::Command::Check::Domain->new;
$check->addDomain($domain);
$check->addDomain($missing);
$check->clTRID->appendText('NETEPP-CHECK');
my $checked = $epp->request($check);
result_line('check', $checked);
for my $name ($checked->getElementsByTagNameNS($DOMAIN, 'name')) {
    printf "check %s avail=%s\n", $name->textContent, $name->getAttribute('avail');
}

my $info = Net::EPP::Frame::Command::Info::Domain->new;
$info->setDomain($domain);
$info->clTRID->appendText('NETEPP-INFO');
my $answer = $epp->request($info);
result_line('info', $answer);
printf "info name=%s clID=%s roid=%s exDate=%s\n", map { first_text($answer, $DOMAIN, $_) } qw(name clID roid exDate);

my $logout = Net::EPP::Frame::Command::Logout->new;
$logout->clTRID->appendText('NETEPP-LOGOUT');
result_line('logout', $epp->request($logout));
$epp->disconnect;
