#!/bin/sh
# Prints the command x option matrix cases (and pairs of list options) appended to cases.txt.
set -f
bases='-A_-t_1.2.3.4:80 -E_-t_1.2.3.4:80 -D_-t_1.2.3.4:80 -C -L -a_-t_1.2.3.4:80_-r_1.1.1.1 -d_-t_1.2.3.4:80_-r_1.1.1.1 -e_-t_1.2.3.4:80_-r_1.1.1.1 --set_1_2_3 --start-daemon_master --stop-daemon_master -R -S -Z'
opts='-n -c -t_9.9.9.9:80 -s_rr -p_10 -M_255.255.255.0 -r_9.9.9.8 -g -w_1 -x_1 -y_1 --mcast-interface_lo --timeout --daemon --stats --rate --thresholds --persistent-conn --nosort --syncid_1 --exact -o --pe_sip -b_flag-1 --mcast-group_224.0.0.81 --mcast-port_8848 --mcast-ttl_1 --sync-maxlen_1000 --tun-info --tun-type_ipip --tun-port_5 --tun-nocsum --tun-csum --tun-remcsum -6 --sort -u_9.9.9.9:80 --sctp-service_9.9.9.9:80 -f_5 -i -m'
for b in $bases; do
    for o in $opts; do echo "$b $o" | tr _ ' '; done
done
lopts='-n -c -t_9.9.9.9:80 --timeout --daemon --stats --rate --thresholds --persistent-conn --exact --nosort --tun-info --syncid_1'
for a in $lopts; do
    for o in $lopts; do
        [ "$a" = "$o" ] || echo "-L $a $o" | tr _ ' '
    done
done
