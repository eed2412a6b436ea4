"""Drives a node with boto3 signing Signature Version 2 (header auth and presigned URLs).

Arguments: endpoint, bucket, access key, secret, read-only access key, its secret.
Prints one line per check; exits non-zero (with the reason) at the first failure.
"""
import http.client
import sys
import urllib.parse

import boto3
import botocore
from botocore.config import Config

endpoint, bucket, key, secret, ro_key, ro_secret = sys.argv[1:7]


def client(k, s, version):
    return boto3.client('s3', endpoint_url=endpoint, aws_access_key_id=k, aws_secret_access_key=s,
                        region_name='us-east-1',
                        config=Config(signature_version=version, s3={'addressing_style': 'path'}))


def fetch(url, method='GET', data=None):
    """A bare request, as curl sends it: no Content-Type (a V2 link signs the one it was made with)."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.netloc, timeout=60)
    conn.request(method, u.path + '?' + u.query, body=data)
    r = conn.getresponse()
    return r.status, r.read()


def check(cond, what):
    if not cond:
        print('FAILED: ' + what)
        sys.exit(1)
    print('ok ' + what)


v2 = client(key, secret, 's3')
name = 'boto3 ' + boto3.__version__ + ' dir/ä b+c.txt'
v2.put_object(Bucket=bucket, Key=name, Body=b'hello v2', ContentType='text/plain', Metadata={'who': 'boto3'})
got = v2.get_object(Bucket=bucket, Key=name)
check(got['Body'].read() == b'hello v2' and got['Metadata'] == {'who': 'boto3'}, 'V2 header: put and get')
check(v2.head_object(Bucket=bucket, Key=name)['ContentLength'] == 8, 'V2 header: head')
keys = [o['Key'] for o in v2.list_objects_v2(Bucket=bucket, Prefix='boto3 ' + boto3.__version__).get('Contents', [])]
check(name in keys, 'V2 header: list objects v2')

# multipart: uploadId and partNumber are signed subresources in V2
mp = v2.create_multipart_upload(Bucket=bucket, Key=name + '.mp')
part1 = b'a' * (5 << 20)
e1 = v2.upload_part(Bucket=bucket, Key=name + '.mp', UploadId=mp['UploadId'], PartNumber=1, Body=part1)['ETag']
e2 = v2.upload_part(Bucket=bucket, Key=name + '.mp', UploadId=mp['UploadId'], PartNumber=2, Body=b'tail')['ETag']
v2.complete_multipart_upload(Bucket=bucket, Key=name + '.mp', UploadId=mp['UploadId'],
                             MultipartUpload={'Parts': [{'ETag': e1, 'PartNumber': 1}, {'ETag': e2, 'PartNumber': 2}]})
check(v2.get_object(Bucket=bucket, Key=name + '.mp')['Body'].read() == part1 + b'tail', 'V2 header: multipart upload')

# presigned URLs: boto3's default presign is V2 (AWSAccessKeyId/Expires/Signature)
default = client(key, secret, None)
url = default.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': name}, ExpiresIn=300)
check('AWSAccessKeyId=' in url and 'Signature=' in url, 'default presign is V2: ' + url.split('?')[1][:40])
status, body = fetch(url)
check(status == 200 and body == b'hello v2', 'V2 presigned GET (%d)' % status)
status, body = fetch(url.replace('.txt?', '.tx?'))
check(status == 403 and b'SignatureDoesNotMatch' in body, 'V2 presigned GET of another key refused (%d)' % status)
status, body = fetch(url, method='DELETE')
check(status == 403, 'V2 presigned GET URL used for DELETE refused (%d)' % status)
put_url = default.generate_presigned_url('put_object', Params={'Bucket': bucket, 'Key': name + '.put'}, ExpiresIn=300)
status, body = fetch(put_url, method='PUT', data=b'put through a link')
check(status == 200, 'V2 presigned PUT (%d %s)' % (status, body[:200]))
check(v2.get_object(Bucket=bucket, Key=name + '.put')['Body'].read() == b'put through a link', 'presigned PUT stored')
expired = default.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': name}, ExpiresIn=-10)
status, body = fetch(expired)
check(status == 403 and b'expired' in body, 'expired V2 link refused (%d)' % status)

# the same permission checks as SigV4: a read-only key reads, and may not write, by header or link
ro = client(ro_key, ro_secret, 's3')
check(ro.get_object(Bucket=bucket, Key=name)['Body'].read() == b'hello v2', 'read-only key reads with V2')
try:
    ro.put_object(Bucket=bucket, Key=name + '.ro', Body=b'x')
    check(False, 'read-only key must not write')
except botocore.exceptions.ClientError as e:
    check(e.response['Error']['Code'] == 'AccessDenied', 'read-only key put refused: ' + e.response['Error']['Code'])
ro_put = client(ro_key, ro_secret, None).generate_presigned_url('put_object', Params={'Bucket': bucket, 'Key': name + '.ro'})
status, body = fetch(ro_put, method='PUT', data=b'x')
check(status == 403 and b'AccessDenied' in body, 'read-only key presigned PUT refused (%d)' % status)
wrong = client(key, 'not-the-secret', 's3')
try:
    wrong.head_object(Bucket=bucket, Key=name)
    check(False, 'a wrong secret must be refused')
except botocore.exceptions.ClientError as e:
    check(e.response['Error']['Code'] in ('403', 'SignatureDoesNotMatch'), 'wrong secret refused')

for k in (name, name + '.mp', name + '.put'):
    v2.delete_object(Bucket=bucket, Key=k)
check(v2.list_objects_v2(Bucket=bucket, Prefix='boto3 ' + boto3.__version__).get('KeyCount') == 0, 'V2 header: delete')
print('ALL OK')
